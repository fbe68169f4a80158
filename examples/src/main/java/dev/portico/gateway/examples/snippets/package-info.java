/**
 * The code behind every Java snippet in the README and the site pages. Nothing here runs: the
 * classes exist so that the snippets compile with the project. A region between
 * {@code // tag::name[]} and {@code // end::name[]} appears verbatim (less its indentation) in a
 * page after a {@code <!-- snippet: File.java#name -->} marker, and {@code DocSnippetsTest} fails
 * when the two drift apart.
 */
package dev.portico.gateway.examples.snippets;
