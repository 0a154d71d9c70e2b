package dev.dti.concept;

import java.util.UUID;

/**
 * Published by {@link ConceptService#delete} inside the deleting transaction, so that a listener's
 * writes commit or roll back with the deletion.
 */
public record ConceptDeleted(UUID tenantId, UUID id, String token, String name) {}
