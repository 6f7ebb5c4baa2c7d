package main

import (
	"strings"

	"github.com/modelrouter/modelrouter/server/manage"
)

// EnvMetricsKey holds the key GET /metrics then needs, as
// "Authorization: Bearer <key>", for a scraper configured with it
// (Prometheus's authorization.credentials or credentials_file). Unset,
// /metrics needs no key, as scrapers that send none need. As the admin
// key, it comes from the environment (or its _FILE) or the config file
// (metrics_key), never a flag a process list would show.
const EnvMetricsKey = "MODELROUTER_METRICS_KEY"

// resolvedMetricsKey is MODELROUTER_METRICS_KEY when set, else the file's
// metrics_key, without surrounding whitespace (a secret file's trailing
// newline), and the name of the setting it came from (its VAR_FILE when
// read from one), for messages, which never show the key.
func (o *serveOptions) resolvedMetricsKey() (key, from string) {
	if k := strings.TrimSpace(envMap(o.environ)[EnvMetricsKey]); k != "" {
		if f := o.keyFiles[EnvMetricsKey]; f != "" {
			return k, f
		}
		return k, EnvMetricsKey
	}
	return strings.TrimSpace(string(o.metricsKey)), "metrics_key"
}

// metricsKeyProblem refuses a metrics key that is the admin key: a
// scraper holds its key in a scrape config, where it should not be able
// to manage deployments, so the two must differ.
func (o *serveOptions) metricsKeyProblem() string {
	key, from := o.resolvedMetricsKey()
	if manage.IsAdminKey(key, o.resolvedAdminKey()) {
		return from + ": the same as the admin key; give the scraper a key of its own (e.g. from `openssl rand -hex 32`), one that cannot manage deployments"
	}
	return ""
}
