package metrics

import (
	"net/http"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/apierr"
	"github.com/modelrouter/modelrouter/server/authlimit"
	"github.com/modelrouter/modelrouter/server/internal/apikey"
	"github.com/modelrouter/modelrouter/server/refusedlog"
)

// Path is where the gateway serves the metrics.
const Path = "/metrics"

// WrongKeyReason is the refused-requests reason of a scrape refused for
// its metrics key (none, or a wrong one). It is neither unauthorized (a
// client key, a client to fix) nor authlimit.WrongKeyReason (a guess at
// the admin key): the metrics key is the operator's choice, so a wrong
// one may be a guess, but its usual cause is a scraper left with an old
// key, which the operator looks for apart from attacks on the admin key.
const WrongKeyReason = "metrics_unauthorized"

// KeyConfig guards the metrics with a key of their own.
type KeyConfig struct {
	// Key, when set, is the one key that opens the metrics, sent as
	// "Authorization: Bearer <key>" (what Prometheus's authorization
	// setting sends). The admin key does not open them: a scraper's key
	// need not be one that manages deployments.
	Key string
	// AuthLimit, optional, counts wrong keys per client address with the
	// admin key's, and answers a limited address 429 before its key is
	// looked at.
	AuthLimit *authlimit.Limiter
	// RefusedLog, optional, counts refused scrapes (WrongKeyReason) in
	// the refused-requests metric and the server log.
	RefusedLog *refusedlog.Log
}

// IsKey reports whether got is the metrics key key, compared as the admin
// key is (by digests, so no reply's timing tells the key's length); an
// empty key admits no one.
func IsKey(got, key string) bool { return apikey.Same(got, key) }

// HandlerWithKey is Handler behind cfg.Key; with no key it is Handler,
// open to anyone, as scrapers that send no key need.
func (m *Metrics) HandlerWithKey(cfg KeyConfig) http.Handler {
	next := m.Handler()
	if cfg.Key == "" {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Before the key is compared: a limited address learns nothing
		// from its guesses.
		if err := cfg.AuthLimit.Check(r); err != nil {
			cfg.RefusedLog.Request(r, authlimit.Reason, Path)
			apierr.Write(w, err)
			return
		}
		if got, _ := apikey.Bearer(r.Header); !IsKey(got, cfg.Key) {
			cfg.AuthLimit.Failed(r)
			cfg.RefusedLog.Request(r, WrongKeyReason, Path)
			apierr.Write(w, router.Errorf(router.EUnauthorized,
				"the metrics need the metrics key: send Authorization: Bearer <metrics key> (the key set as MODELROUTER_METRICS_KEY or metrics_key)"))
			return
		}
		next.ServeHTTP(w, r)
	})
}
