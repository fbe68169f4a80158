/**
 * Log files written off the request path: {@link dev.portico.gateway.observe.file.LogFile} takes
 * lines (an access log's, for one) from any thread without blocking it, and appends them to a file
 * from a thread of its own.
 */
@NullMarked
package dev.portico.gateway.observe.file;

import org.jspecify.annotations.NullMarked;
