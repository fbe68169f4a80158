package dev.portico.gateway.spring.boot;

import org.springframework.boot.autoconfigure.AutoConfiguration;

/** Mounts a Portico gateway in a Spring Boot servlet application (skeleton; filled in by issue 21). */
@AutoConfiguration
public final class PorticoAutoConfiguration {}
