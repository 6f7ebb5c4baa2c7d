package server

import (
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/apierr"
)

// refuseForeignHost answers 403 to a request whose Host is not loopback's
// or one of Config.AllowedHosts, when the gateway needs no key or when
// the operator named hosts. A page whose own host name is made to resolve
// to 127.0.0.1 (DNS rebinding) is same-origin with the gateway as far as
// the browser can tell, so the cross-site check lets it post and read the
// answers; but the browser still sends the page's host name, which no
// loopback client uses. With keys required the key is the defence, and a
// proxy's or a load balancer's host name is the normal case, so any Host
// passes unless --allowed-hosts names some: an operator who lists them
// means that list to hold. The health probes are answered whatever their
// Host: load balancers and Kubernetes probe an instance by its IP address,
// which changes with every instance, and a probe's answer tells a rebound
// page nothing.
func (s *Server) refuseForeignHost(c *gin.Context) {
	if p := c.FullPath(); p == "/healthz" || p == "/readyz" {
		c.Next()
		return
	}
	checked := !s.cfg.RequireKeys || len(s.cfg.AllowedHosts) > 0
	if checked && !HostAllowed(c.Request.Host, s.cfg.AllowedHosts) {
		s.refuse(c, foreignHostError(c.Request.Host, !s.cfg.RequireKeys))
		return
	}
	c.Next()
}

// RefuseForeignHost wraps h (a server that never asks for a key, such as
// the profiles) with the same check: only loopback's host names and
// allowed reach it.
func RefuseForeignHost(allowed []string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !HostAllowed(r.Host, allowed) {
			apierr.Write(w, foreignHostError(r.Host, false))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// HostAllowed reports whether host, a request's Host (a name or an IP
// address, with or without a port), is localhost, a loopback IP address
// or one of allowed (names compared without case). An empty Host (HTTP/1.0)
// passes: every browser sends one.
func HostAllowed(host string, allowed []string) bool {
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.TrimSuffix(strings.TrimPrefix(name, "["), "]")
	// A fully qualified name ends in a dot ("localhost."): the same host.
	name = strings.TrimSuffix(name, ".")
	if name == "" || strings.EqualFold(name, "localhost") {
		return true
	}
	if ip := net.ParseIP(name); ip != nil && ip.IsLoopback() {
		return true
	}
	for _, a := range allowed {
		if strings.EqualFold(name, a) {
			return true
		}
	}
	return false
}

// reasonForeignHost is the error code of a request refused for its Host.
const reasonForeignHost = "host_not_allowed"

// foreignHostError is the refusal of host; keyless says the gateway needs
// no key, where requiring keys is the other way to open it.
func foreignHostError(host string, keyless bool) *router.Error {
	msg := fmt.Sprintf("requests for host %q are refused: this server answers only localhost, loopback addresses "+
		"and the host names given with serve --allowed-hosts (add a reverse proxy's host name there", host)
	if keyless {
		msg += ", or require keys"
	}
	return &router.Error{Code: router.EForbidden, Reason: reasonForeignHost, Message: msg + ")"}
}
