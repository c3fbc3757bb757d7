//! TLS of the `reqwest::Client` this crate builds, per feature: `rustls` (reqwest's own rustls
//! set-up, aws-lc-rs crypto) or `rustls-ring` (a rustls configuration on the `ring` provider,
//! built here and handed to reqwest ready-made).
//!
//! Both verify servers alike: the platform's root certificates (rustls-platform-verifier) plus
//! the [`RootCertificate`]s of [`ClientBuilder::add_root_certificate`](crate::ClientBuilder::add_root_certificate).

use std::fmt;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use crate::error::{ConfigurationError, Error};

/// A certificate authority to trust besides the platform's (a TLS-intercepting proxy, a test
/// server), for [`ClientBuilder::add_root_certificate`](crate::ClientBuilder::add_root_certificate).
///
/// Its own type rather than `reqwest::Certificate`, which does not give its bytes back: with
/// the `rustls-ring` feature this crate hands them to rustls itself.
#[derive(Clone, PartialEq, Eq)]
pub struct RootCertificate(CertificateDer<'static>);

impl RootCertificate {
    /// The first `CERTIFICATE` block of a PEM document.
    pub fn from_pem(pem: &[u8]) -> Result<Self, Error> {
        CertificateDer::from_pem_slice(pem).map(Self).map_err(|e| {
            ConfigurationError(format!("no PEM certificate could be read: {e}")).into()
        })
    }

    /// A DER-encoded certificate. It is checked when the client is built.
    pub fn from_der(der: impl Into<Vec<u8>>) -> Self {
        Self(CertificateDer::from(der.into()))
    }
}

impl fmt::Debug for RootCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RootCertificate({} bytes of DER)", self.0.len())
    }
}

/// Sets up TLS on `builder`, trusting `roots` besides the platform's certificates.
#[cfg(feature = "rustls-ring")]
pub(crate) fn configure(
    builder: reqwest::ClientBuilder,
    roots: Vec<RootCertificate>,
) -> Result<reqwest::ClientBuilder, ConfigurationError> {
    use std::sync::Arc;

    let unusable = |e: rustls::Error| {
        ConfigurationError(format!("TLS (rustls with ring) cannot be set up: {e}"))
    };
    // Named on this client only: installing a process-wide default provider from a library
    // would decide for the whole program, and fail if the program has chosen another.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new_with_extra_roots(
        roots.into_iter().map(|root| root.0),
        provider.clone(),
    )
    .map_err(unusable)?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(unusable)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    // reqwest leaves a ready-made configuration as it is; it speaks HTTP/1.1 here (its `http2`
    // feature is off), so that is the one protocol to offer.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(builder.tls_backend_preconfigured(config))
}

/// Sets up TLS on `builder`, trusting `roots` besides the platform's certificates.
#[cfg(all(feature = "rustls", not(feature = "rustls-ring")))]
pub(crate) fn configure(
    builder: reqwest::ClientBuilder,
    roots: Vec<RootCertificate>,
) -> Result<reqwest::ClientBuilder, ConfigurationError> {
    roots.into_iter().try_fold(builder, |builder, root| {
        reqwest::Certificate::from_der(&root.0)
            .map(|certificate| builder.add_root_certificate(certificate))
            .map_err(|e| ConfigurationError(format!("a root certificate is unusable: {e}")))
    })
}

/// Without a TLS feature there is nothing to set up, and nothing to trust a root with.
#[cfg(not(any(feature = "rustls", feature = "rustls-ring")))]
pub(crate) fn configure(
    builder: reqwest::ClientBuilder,
    roots: Vec<RootCertificate>,
) -> Result<reqwest::ClientBuilder, ConfigurationError> {
    if roots.is_empty() {
        Ok(builder)
    } else {
        Err(ConfigurationError(
            "root certificates need a TLS feature of happytalk-ext (`rustls` or `rustls-ring`)"
                .to_owned(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_without_a_certificate_is_refused_by_name() {
        let error = RootCertificate::from_pem(b"not a certificate").unwrap_err();
        assert!(error.to_string().contains("no PEM certificate"), "{error}");
    }

    #[test]
    fn pem_and_der_of_one_certificate_are_equal() {
        let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let from_pem = RootCertificate::from_pem(certified.cert.pem().as_bytes()).unwrap();
        assert_eq!(
            from_pem,
            RootCertificate::from_der(certified.cert.der().to_vec())
        );
        assert_eq!(
            format!("{from_pem:?}"),
            format!(
                "RootCertificate({} bytes of DER)",
                certified.cert.der().len()
            )
        );
    }
}
