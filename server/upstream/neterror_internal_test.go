package upstream

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Each network failure is shown by its kind, never with the host, address
// or port its own text names; the full text stays for the operator.
func TestANetworkFailureIsShownByItsKindOnly(t *testing.T) {
	addr := &net.TCPAddr{IP: net.IPv4(10, 0, 3, 7), Port: 8000}
	op := func(err error) error {
		return &url.Error{Op: "Post", URL: "http://10.0.3.7:8000/v1/chat/completions",
			Err: &net.OpError{Op: "dial", Net: "tcp", Addr: addr, Err: err}}
	}
	for want, err := range map[string]error{
		"connection refused": op(os.NewSyscallError("connect", syscall.ECONNREFUSED)),
		"connection reset":   op(os.NewSyscallError("read", syscall.ECONNRESET)),
		"host unreachable":   op(os.NewSyscallError("connect", syscall.EHOSTUNREACH)),
		"timeout":            op(os.ErrDeadlineExceeded),
		"DNS lookup failed":  &url.Error{Op: "Post", URL: "http://vllm.internal.corp/v1", Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "vllm.internal.corp", IsNotFound: true}}},
		"TLS error":          &url.Error{Op: "Post", URL: "https://10.0.3.7:8000/v1", Err: &tls.CertificateVerificationError{Err: errors.New("x509: certificate is valid for vllm.internal, not 10.0.3.7")}},
		"connection closed":  &url.Error{Op: "Post", URL: "http://10.0.3.7:8000/v1", Err: io.EOF},
		"network error":      op(errors.New("something else")),
	} {
		shown, full := netFailure(err)
		assert.Equal(t, want, shown)
		assert.NotContains(t, shown, "10.0.3.7")
		assert.NotContains(t, shown, "vllm.internal")
		assert.NotContains(t, full, "/v1", "the full text leaves the URL out")
	}
	shown, full := netFailure(errors.New("event over 16 MiB"))
	assert.Equal(t, "event over 16 MiB", shown, "no network error: shown as it is")
	assert.Equal(t, shown, full)
}
