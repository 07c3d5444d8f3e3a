"""The shared TLS context of the app's HTTP clients still verifies certificates."""

import ssl

from marketnav.services.http_tls import verified_tls_context


def test_one_verifying_context_per_process():
    context = verified_tls_context()
    assert context is verified_tls_context()
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0  # the CA bundle was read
