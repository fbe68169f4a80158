/** Not public API. The key model, the positioned node tree and the readers of gateway-config. */
@NullMarked
package dev.portico.gateway.config.internal;

import org.jspecify.annotations.NullMarked;
