/**
 * Spring Boot 4 auto-configuration: mounts a Portico gateway in the application's servlet
 * container as a filter ahead of Spring MVC.
 */
@NullMarked
package dev.portico.gateway.spring.boot;

import org.jspecify.annotations.NullMarked;
