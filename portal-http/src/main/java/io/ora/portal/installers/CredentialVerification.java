package io.ora.portal.installers;

/**
 * How a submitted licence becomes trusted. The portal never calls an external licence registry in Phase 1; the
 * shipped implementation is {@link #MANUAL_REVIEW}: every submission starts {@code PENDING} and an operator marks it
 * {@code VERIFIED} or {@code REJECTED} (docs/portal.md, "Licence review"). A registry-backed implementation would
 * decide here instead, and the operator routes would stay as the override.
 */
@FunctionalInterface
public interface CredentialVerification {

    /** The status a licence starts in when an electrician submits or changes it. */
    Directory.LicenceStatus onSubmitted(Directory.LicenceSubmission submission);

    /** Manual review by an operator: nothing is trusted until a person has checked it. */
    CredentialVerification MANUAL_REVIEW = submission -> Directory.LicenceStatus.PENDING;
}
