/**
 * Code that the documentation pages quote between {@code // tag::name[]} and {@code // end::name[]}
 * markers: it compiles with the build, so the pages cannot drift from the API.
 */
@NullMarked
package dev.portico.gateway.examples.snippets;

import org.jspecify.annotations.NullMarked;
