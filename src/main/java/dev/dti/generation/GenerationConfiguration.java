package dev.dti.generation;

import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Turns on scheduled tasks for {@link GeneratedImageCleaner}. */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class GenerationConfiguration {}
