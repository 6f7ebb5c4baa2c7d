package upstream

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
)

// netFailure describes a failed exchange with a provider twice. shown, for
// the client (its 502, model_selection_details, a stream's error event),
// names only the kind of failure: the error's own text names the
// provider's address (dial tcp 10.0.3.7:8000, lookup vllm.internal), which
// is the operator's, not every key holder's. full, for the decision log's
// attempts and the operator, is that text, without the request's URL.
// An error that is no network error (a malformed stream) names no address
// and is shown as it is.
func netFailure(err error) (shown, full string) {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	full = err.Error()
	var ne net.Error
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout", full
	case errors.As(err, &dns):
		return "DNS lookup failed", full
	case isTLSError(err):
		return "TLS error", full
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused", full
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset", full
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "host unreachable", full
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return "connection closed", full
	case errors.As(err, &op):
		return "network error", full
	}
	return full, full
}

// isTLSError reports a failed TLS handshake or certificate check; their
// texts name host names (x509: certificate is valid for a.internal, not
// b.internal).
func isTLSError(err error) bool {
	var rh tls.RecordHeaderError
	var cv *tls.CertificateVerificationError
	var alert tls.AlertError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	return errors.As(err, &rh) || errors.As(err, &cv) || errors.As(err, &alert) || errors.As(err, &ua) ||
		errors.As(err, &hn) || errors.As(err, &ci) ||
		strings.Contains(err.Error(), "tls: ") || strings.Contains(err.Error(), "x509: ")
}

// failure is an attempt's error whose text is the client's and whose full
// text is the operator's (see netFailure).
type failure struct{ msg, full string }

func (e *failure) Error() string { return e.msg }

// operatorText is err's fuller text for the decision log, "" when it has
// none beyond Error().
func operatorText(err error) string {
	var f *failure
	if errors.As(err, &f) {
		return f.full
	}
	var rt *retryable
	if errors.As(err, &rt) {
		return rt.full
	}
	return ""
}
