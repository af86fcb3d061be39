//! AutoMTLS as go-plugin does it: the plugin makes a throwaway self-signed server
//! certificate and sends it in the handshake line; Terraform makes a throwaway client
//! certificate (ECDSA P-521) and passes it in `PLUGIN_CLIENT_CERT`. Each side trusts
//! exactly the other's certificate, so only the Terraform process that started this
//! plugin can talk to it.

use std::sync::Arc;

use tokio_rustls::rustls::client::danger::HandshakeSignatureValid;
use tokio_rustls::rustls::crypto::{self, CryptoProvider, WebPkiSupportedAlgorithms};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use tokio_rustls::rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use tokio_rustls::rustls::{
    self, CertificateError, DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme,
};

/// The server certificate and its key, made fresh for each process.
pub struct ServerIdentity {
    pub cert: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

/// A self-signed ECDSA P-256 certificate for `localhost` (CN and SAN), usable for server
/// authentication; not a CA, so strict clients accept it as its own trust anchor.
pub fn server_identity() -> Result<ServerIdentity, String> {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
        .map_err(|e| format!("generate the server key: {e}"))?;
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()])
        .map_err(|e| format!("server certificate parameters: {e}"))?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(rcgen::DnType::CommonName, "localhost");
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "wellarch");
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params
        .self_signed(&key)
        .map_err(|e| format!("sign the server certificate: {e}"))?;
    Ok(ServerIdentity {
        cert: cert.der().clone(),
        key: PrivatePkcs8KeyDer::from(key.serialize_der()),
    })
}

/// The first certificate of a PEM document.
pub fn certificate_from_pem(pem: &str) -> Result<CertificateDer<'static>, String> {
    CertificateDer::from_pem_slice(pem.as_bytes())
        .map_err(|e| format!("PLUGIN_CLIENT_CERT does not hold a PEM certificate: {e}"))
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(crypto::aws_lc_rs::default_provider())
}

/// TLS 1.2 and 1.3, HTTP/2 by ALPN (gRPC clients insist on it), the client certificate
/// required and accepted only if it is exactly `client_cert`.
pub fn server_config(
    identity: &ServerIdentity,
    client_cert: CertificateDer<'static>,
) -> Result<Arc<ServerConfig>, String> {
    let provider = provider();
    let verifier = Arc::new(ExactClientCert {
        expected: client_cert,
        algorithms: provider.signature_verification_algorithms,
    });
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| format!("TLS versions: {e}"))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![identity.cert.clone()],
            PrivateKeyDer::Pkcs8(identity.key.clone_key()),
        )
        .map_err(|e| format!("server certificate: {e}"))?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(Arc::new(config))
}

/// Accepts one client certificate, byte for byte. Chains, names and dates do not matter:
/// the certificate was handed over by the parent process. The handshake signature is
/// still verified, with every algorithm the crypto provider supports (P-521 included), so
/// the peer must hold the certificate's private key.
#[derive(Debug)]
struct ExactClientCert {
    expected: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for ExactClientCert {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.expected.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            super::log::warn("rejected a TLS client whose certificate is not Terraform's");
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_certificate_is_for_localhost() {
        let id = server_identity().expect("generates");
        assert!(!id.cert.is_empty());
        let config = server_config(&id, id.cert.clone()).expect("configures");
        assert_eq!(config.alpn_protocols, vec![b"h2".to_vec()]);
    }

    #[test]
    fn verifier_accepts_only_the_exact_certificate_and_offers_p521() {
        let a = server_identity().expect("a").cert;
        let b = server_identity().expect("b").cert;
        let v = ExactClientCert {
            expected: a.clone(),
            algorithms: provider().signature_verification_algorithms,
        };
        assert!(v.client_auth_mandatory());
        assert!(v.verify_client_cert(&a, &[], UnixTime::now()).is_ok());
        assert!(v.verify_client_cert(&b, &[], UnixTime::now()).is_err());
        assert!(
            v.supported_verify_schemes()
                .contains(&SignatureScheme::ECDSA_NISTP521_SHA512)
        );
    }

    #[test]
    fn pem_certificates_parse() {
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("cert");
        let der = certificate_from_pem(&cert.cert.pem()).expect("parses");
        assert_eq!(der.as_ref(), cert.cert.der().as_ref());
        assert!(certificate_from_pem("not pem").is_err());
    }
}
