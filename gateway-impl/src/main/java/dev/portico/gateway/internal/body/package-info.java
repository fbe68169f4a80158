/**
 * Not public API. Bodies on both legs: the client's body read whole under a cap, streamed upstream
 * with a size limit, kept for replay, under its deadline; the upstream's body on its way to the
 * client; content codings; and the deadline timer that request bodies and upstream tries share.
 */
@NullMarked
package dev.portico.gateway.internal.body;

import org.jspecify.annotations.NullMarked;
