package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/modelrouter/modelrouter/server/manage"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// EnvConfig names the config file when --config is not given.
const EnvConfig = "MODELROUTER_CONFIG"

// serveFile is `serve --config FILE`: JSON, every field optional. A field
// the file leaves out keeps its default; a flag given on the command line
// beats the file; the providers' usual environment variables,
// MODELROUTER_ADMIN_KEY, MODELROUTER_PROMPT_HASH_KEY and
// MODELROUTER_METRICS_KEY beat the file too
// (see mergeProviders). String values may name environment variables as
// ${VAR}, so keys need not sit in the file.
type serveFile struct {
	Addr                 *string                 `json:"addr"`
	DB                   *string                 `json:"db"`
	RequireKeys          *bool                   `json:"require_keys"`
	KeepPrompts          *bool                   `json:"keep_prompts"`
	AdminKey             *secret                 `json:"admin_key"`
	PromptHashKey        *secret                 `json:"prompt_hash_key"`
	MetricsKey           *secret                 `json:"metrics_key"`
	RateLimits           *bool                   `json:"rate_limits"`
	AffinityTTL          *duration               `json:"affinity_ttl"`
	KeepResponses        *duration               `json:"keep_responses"`
	KeepDecisions        *duration               `json:"keep_decisions"`
	UnhealthyAfter       *int                    `json:"unhealthy_after"`
	UnhealthyFor         *duration               `json:"unhealthy_for"`
	Grace                *duration               `json:"grace"`
	MaxBody              *int64                  `json:"max_body"`
	MaxHeldBytes         *int64                  `json:"max_held_bytes"`
	BodyTimeout          *duration               `json:"body_timeout"`
	MinBodyRate          *int64                  `json:"min_body_rate"`
	CallTimeout          *duration               `json:"call_timeout"`
	StreamIdleTimeout    *duration               `json:"stream_idle_timeout"`
	RouterModel          *string                 `json:"router_model"`
	CUDA                 *bool                   `json:"cuda"`
	AgentToolsOpenAIOnly *bool                   `json:"agent_tools_openai_only"`
	Pprof                *string                 `json:"pprof"`
	AllowedHosts         *string                 `json:"allowed_hosts"`
	TrustedProxies       *string                 `json:"trusted_proxies"`
	LogFormat            *string                 `json:"log_format"`
	LogLevel             *string                 `json:"log_level"`
	MaxConnections       *int                    `json:"max_connections"`
	Providers            map[string]fileProvider `json:"providers"`

	// failed names the fields (dotted, as in messages) the file holds a
	// value for that could not be read; they keep their defaults.
	failed map[string]bool
	// keysWritten names the key fields (dotted) whose value the file
	// holds itself rather than as ${VAR}; keysNamed those it gives as
	// ${VAR} only.
	keysWritten, keysNamed []string
	// varsNamed names every variable the file's text names as ${VAR}:
	// one of serve's own variables set alone may be read through it.
	varsNamed map[string]bool
}

// fileProvider is one upstream in the file. The name it sits under is the
// catalog's provider name ("openai", "anthropic", "meta", ...), "azure" for
// Azure OpenAI, or "default" for a server that answers every model whose own
// provider is not configured.
type fileProvider struct {
	Kind       string `json:"kind"` // openai (default), anthropic, azure
	BaseURL    string `json:"base_url"`
	APIKey     secret `json:"api_key"`
	APIVersion string `json:"api_version"`
	// OpenAIAPI declares base_url a way to OpenAI's API (a proxy in
	// front of it), which its host does not show: upstream.Provider.OpenAIAPI.
	OpenAIAPI bool `json:"openai_api"`
	// HostedTools declares the tool types OpenAI's platform runs that
	// base_url's server runs too (vLLM or SGLang with a tool server):
	// upstream.Provider.HostedTools.
	HostedTools []string `json:"hosted_tools"`
}

// secret is a string that never prints: %v, %+v, %#v and %s all show
// whether it is set, never its value.
type secret string

func (s secret) String() string {
	if s == "" {
		return `""`
	}
	return "[redacted]"
}

func (s secret) GoString() string { return s.String() }

// duration reads "90s", "1h30m" (Go's time.ParseDuration) from JSON. Its
// errors leave the value out: decodeField adds it as the file wrote it.
type duration time.Duration

func (d *duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return wantError(`want a duration string like "30s" or "1h"`)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return wantError(`want a duration like "30s" or "1h"`)
	}
	*d = duration(v)
	return nil
}

// Known provider kinds and the names a file may configure besides catalog
// provider names.
var providerKinds = []string{upstream.KindOpenAI, upstream.KindAnthropic, upstream.KindAzure}

var varRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expandVars replaces each ${VAR} with its value, as lookup gives it. Only
// the braced form is read, so a key that happens to contain "$" stays as
// written.
func expandVars(s string, lookup func(string) (string, error)) (string, error) {
	var missing []string
	var errs []error
	out := varRef.ReplaceAllStringFunc(s, func(ref string) string {
		name := varRef.FindStringSubmatch(ref)[1]
		v, err := lookup(name)
		if err != nil {
			errs = append(errs, err)
		} else if v == "" {
			missing = append(missing, name)
		}
		return v
	})
	if len(errs) > 0 {
		return "", errors.Join(errs...)
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("environment variable %s is not set", strings.Join(missing, ", "))
	}
	return out, nil
}

// applyTo copies the file's values into o, except those whose flag was
// given on the command line (set lists them by flag name).
func (f *serveFile) applyTo(o *serveOptions, set map[string]bool) {
	str := func(flag string, dst *string, v *string) {
		if v != nil && !set[flag] {
			*dst = *v
		}
	}
	boolean := func(flag string, dst *bool, v *bool) {
		if v != nil && !set[flag] {
			*dst = *v
		}
	}
	dur := func(flag string, dst *time.Duration, v *duration) {
		if v != nil && !set[flag] {
			*dst = time.Duration(*v)
		}
	}
	str("addr", &o.addr, f.Addr)
	str("db", &o.db, f.DB)
	str("router-model", &o.routerModel, f.RouterModel)
	str("pprof", &o.pprof, f.Pprof)
	str("allowed-hosts", &o.allowedHosts, f.AllowedHosts)
	str("trusted-proxies", &o.trustedProxies, f.TrustedProxies)
	str("log-format", &o.logFormat, f.LogFormat)
	str("log-level", &o.logLevel, f.LogLevel)
	boolean("require-keys", &o.requireKeys, f.RequireKeys)
	boolean("keep-prompts", &o.keepPrompts, f.KeepPrompts)
	boolean("rate-limits", &o.rateLimits, f.RateLimits)
	boolean("cuda", &o.cuda, f.CUDA)
	boolean("agent-tools-openai-only", &o.agentOpenAI, f.AgentToolsOpenAIOnly)
	dur("affinity-ttl", &o.affinityTTL, f.AffinityTTL)
	dur("keep-responses", &o.keepResponses, f.KeepResponses)
	dur("keep-decisions", &o.keepDecisions, f.KeepDecisions)
	dur("unhealthy-for", &o.unhealthyFor, f.UnhealthyFor)
	if f.UnhealthyAfter != nil && !set["unhealthy-after"] {
		o.unhealthyAfter = *f.UnhealthyAfter
	}
	if f.MaxConnections != nil && !set["max-connections"] {
		o.maxConns = *f.MaxConnections
	}
	dur("grace", &o.grace, f.Grace)
	dur("body-timeout", &o.bodyTimeout, f.BodyTimeout)
	if f.MinBodyRate != nil && !set["min-body-rate"] {
		o.minBodyRate = *f.MinBodyRate
	}
	dur("call-timeout", &o.callTimeout, f.CallTimeout)
	dur("stream-idle-timeout", &o.streamIdle, f.StreamIdleTimeout)
	if f.MaxBody != nil && !set["max-body"] {
		o.maxBody = *f.MaxBody
	}
	if f.MaxHeldBytes != nil && !set["max-held-bytes"] {
		o.maxHeld = *f.MaxHeldBytes
	}
	if f.AdminKey != nil {
		o.adminKey = *f.AdminKey
	}
	if f.PromptHashKey != nil {
		o.promptHashKey = *f.PromptHashKey
	}
	if f.MetricsKey != nil {
		o.metricsKey = *f.MetricsKey
	}
	o.fileProviders = f.providers()
	o.fileFailed = f.failed
	o.fileVars = f.varsNamed
}

// providers turns the file's providers into upstream entries.
func (f *serveFile) providers() upstream.Providers {
	ps := upstream.Providers{ByName: map[string]upstream.Provider{}}
	for name, fp := range f.Providers {
		kind := strings.ToLower(strings.TrimSpace(fp.Kind))
		if kind == "" {
			kind = upstream.KindOpenAI
			if name == "anthropic" {
				kind = upstream.KindAnthropic
			}
			if name == "azure" {
				kind = upstream.KindAzure
			}
		}
		p := upstream.Provider{
			Name: name, Kind: kind, BaseURL: strings.TrimRight(strings.TrimSpace(fp.BaseURL), "/"),
			APIKey: strings.TrimSpace(string(fp.APIKey)), APIVersion: strings.TrimSpace(fp.APIVersion),
			OpenAIAPI: fp.OpenAIAPI, HostedTools: trimmedList(fp.HostedTools),
		}
		if p.BaseURL == "" {
			p.BaseURL = defaultBaseURL[name]
		}
		if p.Kind == upstream.KindAzure && p.APIVersion == "" {
			p.APIVersion = upstream.DefaultAzureAPIVersion
		}
		if name == "default" {
			ps.Default = &p // validate insists on kind openai
			continue
		}
		ps.ByName[name] = p
	}
	return ps
}

// trimmedList is list without surrounding spaces, empty names left out,
// as the environment's comma-separated lists are read
// (upstream.SplitList).
func trimmedList(list []string) []string {
	var out []string
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// defaultBaseURL is where the official SDKs point when the file names a
// provider with a key and no base_url.
var defaultBaseURL = map[string]string{
	"openai":    upstream.DefaultOpenAIBaseURL,
	"anthropic": upstream.DefaultAnthropicBaseURL,
	"deepseek":  upstream.DefaultDeepSeekBaseURL,
	"xai":       upstream.DefaultXAIBaseURL,
}

// mergeProviders lays the environment's providers over the file's: a
// provider configured by environment variables replaces the file's entry of
// the same name whole (the environment is the more local setting, as for
// every other value), and the file's other entries stay.
func mergeProviders(file, env upstream.Providers) upstream.Providers {
	out := upstream.Providers{ByName: map[string]upstream.Provider{}, Default: file.Default}
	for n, p := range file.ByName {
		out.ByName[n] = p
	}
	for n, p := range env.ByName {
		out.ByName[n] = p
	}
	if env.Default != nil {
		out.Default = env.Default
	}
	return out
}

// validate checks the final options and returns every problem at once.
// Messages name the setting and never include a key.
func (o *serveOptions) validate(catalogProviders []string) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if problem := listenAddrProblem(o.addr); problem != "" {
		bad("addr%s: %s, e.g. 127.0.0.1:8080", shownAddr(o.addr), problem)
	}
	if o.pprof != "" {
		if problem := listenAddrProblem(o.pprof); problem != "" {
			bad("pprof%s: %s, e.g. 127.0.0.1:6060", shownAddr(o.pprof), problem)
		} else if !isLoopback(o.pprof) {
			bad("pprof%s: must be a loopback address (host:port), e.g. 127.0.0.1:6060", shownAddr(o.pprof))
		}
	}
	for _, h := range o.hostList() {
		if _, _, err := net.SplitHostPort(h); err == nil || net.ParseIP(h) == nil && !hostName.MatchString(h) {
			bad("allowed_hosts%s: want lower-case host names or IP addresses without a port, comma-separated, e.g. gateway.internal", shownAddr(h))
		}
	}
	_, problems := o.proxyBlocks()
	for _, p := range append(problems, o.logSettingProblems()...) {
		bad("%s", p)
	}
	if strings.TrimSpace(o.db) == "" {
		bad("db: empty; give a SQLite file path")
	}
	if problem := o.promptHashKeyProblem(); problem != "" {
		bad("%s", problem)
	}
	if problem := o.metricsKeyProblem(); problem != "" {
		bad("%s", problem)
	}
	if o.affinityTTL <= 0 {
		bad("affinity_ttl %s: must be positive", o.affinityTTL)
	}
	if o.keepResponses < 0 {
		bad("keep_responses %s: must not be negative (0 keeps none)", o.keepResponses)
	}
	if o.keepDecisions < 0 {
		bad("keep_decisions %s: must not be negative (0 keeps them forever)", o.keepDecisions)
	}
	if o.grace < 0 {
		bad("grace %s: must not be negative", o.grace)
	}
	if o.unhealthyAfter < 0 {
		bad("unhealthy_after %d: must not be negative (0 turns it off)", o.unhealthyAfter)
	}
	if o.maxConns < 0 {
		bad("max_connections %d: must not be negative (0 is no cap)", o.maxConns)
	}
	if o.unhealthyAfter > 0 && o.unhealthyFor <= 0 {
		bad("unhealthy_for %s: must be positive", o.unhealthyFor)
	}
	if o.maxBody <= 0 {
		bad("max_body %d: must be positive", o.maxBody)
	}
	if o.bodyTimeout <= 0 {
		bad("body_timeout %s: must be positive", o.bodyTimeout)
	}
	if o.minBodyRate < 0 {
		bad("min_body_rate %d: must not be negative (0 sets no minimum)", o.minBodyRate)
	}
	// 0 would not mean "no limit" but the Forwarder's default: refused
	// rather than read two ways.
	switch {
	case o.callTimeout <= 0:
		bad("call_timeout %s: must be positive, e.g. 9m30s", o.callTimeout)
	case o.callTimeout <= upstream.DefaultAttemptTimeout:
		// The call would end before a stalled model's attempt timeout:
		// no failover, and nothing counted against its health.
		bad("call_timeout %s: must be longer than the %s attempt timeout, or a model that stalls would never be failed over nor tried last, e.g. 9m30s",
			o.callTimeout, upstream.DefaultAttemptTimeout)
	}
	if o.streamIdle <= 0 {
		bad("stream_idle_timeout %s: must be positive, e.g. 9m30s", o.streamIdle)
	}
	if o.maxHeld < minHeldBytes {
		bad("max_held_bytes %d: want at least %d (1 MiB), in bytes: rows are held a batch at a time, about 0.7 MiB for 256 rows, and a smaller limit would drop every batch",
			o.maxHeld, minHeldBytes)
	}
	valid := append(slices.Clone(catalogProviders), "azure", "default")
	sort.Strings(valid)
	valid = slices.Compact(valid)
	// The file's providers are named by their field, the environment's by
	// their variable; either way a bad value refuses to start rather than
	// fail every call routed to it.
	type source struct {
		name                                                   string // what the message calls the provider
		baseURL, kind, key, openAIAPI, hostedTools, apiVersion string // what it calls those settings
		// keyFix says how to give the key: the environment variable
		// that holds it, named; replaced: the environment configures
		// this provider instead of the file.
		keyFix   string
		replaced bool
	}
	env := envMap(o.environ)
	getenv := func(k string) string { return env[k] }
	envProviders := upstream.FromEnviron(o.environ)
	fromFile := func(name string) source {
		f := "providers." + name
		base, _ := upstream.EnvSettings(getenv, name)
		_, replaced := envProviders.ByName[name]
		if name == "default" {
			replaced = envProviders.Default != nil
		}
		v := keyVariable(base)
		fix := `give it, e.g. "api_key": "${` + v + `}" with ` + v + ` set`
		return source{f, f + ".base_url", f + ".kind", f + ".api_key", f + ".openai_api", f + ".hosted_tools", f + ".api_version", fix, replaced}
	}
	fromEnv := func(name string) source {
		base, kind := upstream.EnvSettings(getenv, name)
		version := "OPENAI_API_VERSION" // the only one the SDKs' variables give: Azure's, of kind azure
		if kind == "" {
			kind = base // the variables fix the kind: unreachable
		} else {
			version = strings.TrimSuffix(kind, "_KIND") + "_API_VERSION"
		}
		v := keyVariable(base)
		return source{base + " (provider " + name + ")", base, kind, v + " (provider " + name + ")", "", "", version, "set " + v, false}
	}
	check := func(p upstream.Provider, name string, at source) {
		if !slices.Contains(valid, name) {
			bad("%s: unknown provider; valid names: %s", at.name, strings.Join(valid, ", "))
		}
		// What the file already reported as unreadable is not reported
		// again as wrong.
		if o.fileFailed[at.name] {
			return
		}
		switch {
		case o.fileFailed[at.kind]:
		case !slices.Contains(providerKinds, p.Kind):
			bad("%s%s: valid kinds: %s", at.kind, shownKind(p.Kind), strings.Join(providerKinds, ", "))
		case name == "default" && p.Kind != upstream.KindOpenAI:
			bad("%s %q: the default server answers every model and must be OpenAI-compatible (kind openai)", at.kind, p.Kind)
		}
		// The environment's declaration is checked by its variable, below.
		if p.OpenAIAPI && at.openAIAPI != "" {
			if problem := openAIAPIProblem(name, p.Kind); problem != "" {
				bad("%s: %s", at.openAIAPI, problem)
			}
		}
		if len(p.HostedTools) > 0 && at.hostedTools != "" && !o.fileFailed[at.hostedTools] {
			if problem := hostedToolsProblem(p, p.Kind); problem != "" {
				bad("%s%s", at.hostedTools, problem)
			}
		}
		// Only an Azure endpoint is sent an api-version: on another kind
		// the setting would change nothing, and whoever wrote it expects
		// a query parameter the server never gets.
		if p.APIVersion != "" && p.Kind != upstream.KindAzure && slices.Contains(providerKinds, p.Kind) &&
			!o.fileFailed[at.kind] && !o.fileFailed[at.apiVersion] {
			fix := "remove it, or set " + at.kind + " to azure"
			if name == "default" {
				fix = "remove it (the default server is of kind openai)"
			}
			o.unreadSettings = append(o.unreadSettings, unreadSetting{at.apiVersion, fmt.Sprintf(
				"Azure's api-version, sent only to a provider of kind azure; this one is of kind %s and never sends it: %s", p.Kind, fix)})
		}
		switch {
		case o.fileFailed[at.baseURL]:
		case p.BaseURL == "":
			bad("%s: required for this provider", at.baseURL)
		default:
			u, err := url.Parse(p.BaseURL)
			switch {
			case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
				bad("%s%s: want an absolute http(s) URL", at.baseURL, shownBaseURL(p.BaseURL))
			case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
				// The API's path is appended to the base URL, so it
				// would land inside the query or the fragment and every
				// call would miss. Not shown: a query may hold a key.
				bad("%s: want a base URL without a query (?...) or a fragment (#...), e.g. http://127.0.0.1:8000/v1: the API's path (/chat/completions) is appended to it", at.baseURL)
			case p.APIKey == "" && !at.replaced && !o.fileFailed[at.key] && needsKey(p.BaseURL):
				// Every call would get the provider's 401, reported as
				// the gateway's key refused: say so once, at start.
				bad("%s: no key, and %s is the provider's own API, which answers every call without one with 401: %s",
					at.key, upstream.RedactURL(p.BaseURL), at.keyFix)
			}
		}
	}
	checkAll := func(ps upstream.Providers, at func(string) source) {
		for _, name := range ps.Names() {
			check(ps.ByName[name], name, at(name))
		}
		if d := ps.Default; d != nil {
			check(*d, "default", at("default"))
		}
	}
	checkAll(o.fileProviders, fromFile)
	checkAll(envProviders, fromEnv)
	for _, v := range declarationVariables(o.environ, "_OPENAI_API") {
		name := v.provider
		p, configured := envProviders.ByName[name]
		if name == "default" && envProviders.Default != nil {
			p, configured = *envProviders.Default, true
		}
		// The kind the environment gives the provider
		// (MODELROUTER_UPSTREAM_OPENAI_KIND=anthropic), which the
		// declaration cannot apply to; a kind that is no kind is
		// reported above, by its own variable.
		kind := upstream.KindOpenAI
		if configured && slices.Contains(providerKinds, p.Kind) {
			kind = p.Kind
		}
		base, _ := upstream.EnvSettings(getenv, name)
		switch _, err := upstream.ParseOpenAIAPI(v.value); {
		case err != nil:
			bad("%s%s: want true or false", v.name, shownKind(strings.ToLower(strings.TrimSpace(v.value))))
		case openAIAPIProblem(name, kind) != "":
			bad("%s: %s", v.name, openAIAPIProblem(name, kind))
		case !configured:
			// Read only with the provider the environment configures:
			// set alone, it would leave the file's entry as it is.
			bad("%s: the environment configures no provider %s: set %s too, or write \"openai_api\" in the configuration file's entry",
				v.name, name, base)
		}
	}
	for _, v := range declarationVariables(o.environ, "_HOSTED_TOOLS") {
		name := v.provider
		p, configured := envProviders.ByName[name]
		if name == "default" && envProviders.Default != nil {
			p, configured = *envProviders.Default, true
		}
		base, _ := upstream.EnvSettings(getenv, name)
		switch {
		case !configured:
			bad("%s: the environment configures no provider %s: set %s too, or write \"hosted_tools\" in the configuration file's entry",
				v.name, name, base)
		case !slices.Contains(providerKinds, p.Kind):
			// reported above, by the kind's own variable
		default:
			if problem := hostedToolsProblem(p, p.Kind); problem != "" {
				bad("%s%s", v.name, problem)
			}
		}
	}
	for _, s := range []struct{ suffix, field string }{{"_KIND", "kind"}, {"_API_VERSION", "api_version"}} {
		for _, v := range declarationVariables(o.environ, s.suffix) {
			if problem := loneSettingProblem(v, s.suffix, s.field, getenv, o.fileVars); problem != "" {
				o.unreadSettings = append(o.unreadSettings, unreadSetting{v.name, problem})
			}
		}
	}
	return errors.Join(errs...)
}

// unreadSetting is a setting serve reads nowhere as it is given, by name
// (never its value), and why: said once at start (warnUnreadSettings).
// Releases before serve checked it ignored it without a word, so it warns
// rather than refuse: a deployment that started before starts after an
// upgrade, as it ran.
type unreadSetting struct{ name, why string }

// loneSettingProblem is why v, a MODELROUTER_UPSTREAM_<NAME>_KIND or
// _API_VERSION (suffix), changes nothing, "" when it is read: only
// beside its own _BASE_URL, which makes the provider it shapes. Set
// alone, it leaves the provider OPENAI_BASE_URL, AZURE_OPENAI_ENDPOINT or
// the configuration file's entry gives as it is; unless the file names it
// as ${VAR} (field, the file's own setting for it).
func loneSettingProblem(v declarationVariable, suffix, field string, getenv func(string) string, fileVars map[string]bool) string {
	base := strings.TrimSuffix(v.name, suffix) + "_BASE_URL"
	if strings.TrimSpace(getenv(base)) != "" || fileVars[v.name] {
		return ""
	}
	var hint string
	switch official, _ := upstream.EnvSettings(getenv, v.provider); {
	case suffix == "_API_VERSION" && v.provider == "azure":
		hint = " (AZURE_OPENAI_ENDPOINT's is OPENAI_API_VERSION)"
	case suffix == "_KIND" && official != base:
		hint = fmt.Sprintf(" (the provider %s configures is always of kind %s: to give it another, set %s in its place)",
			official, officialKind(v.provider), base)
	}
	return fmt.Sprintf("read only beside %s, which is not set, so it changes nothing: set %s too, or write %q in the configuration file's entry%s",
		base, base, field, hint)
}

// officialKind is the kind of the provider the official SDKs' variables
// configure under name (OPENAI_BASE_URL's openai, AZURE_OPENAI_ENDPOINT's
// azure).
func officialKind(name string) string {
	switch name {
	case "anthropic":
		return upstream.KindAnthropic
	case "azure":
		return upstream.KindAzure
	}
	return upstream.KindOpenAI
}

// openAIAPIProblem is why provider name of kind may not be declared a way
// to OpenAI's API, "" when it may: only the openai provider and the
// default server serve OpenAI's models, and only over OpenAI's protocol.
func openAIAPIProblem(name, kind string) string {
	if name != "openai" && name != "default" {
		return "only the openai provider and the default server reach OpenAI's API for its models"
	}
	if kind != upstream.KindOpenAI {
		return fmt.Sprintf("a provider of kind %s does not speak OpenAI's API (kind openai)", kind)
	}
	return ""
}

// hostedToolsProblem is why p, of kind, may not hold its hosted_tools
// declaration (p.HostedTools), "" when it may, worded to follow the
// setting's name: only a provider of kind openai is sent such a call as
// written (a translation to Anthropic's API refuses the tools, and an
// Azure resource is left to take or refuse them), and each name must be
// one of upstream.HostedToolTypes, shown only in a form a key does not
// take.
func hostedToolsProblem(p upstream.Provider, kind string) string {
	if kind != upstream.KindOpenAI {
		return fmt.Sprintf(": a provider of kind %s is not held to the declaration (it applies to kind openai, whose server gets the tools as written)", kind)
	}
	var unknown []string
	for _, t := range p.HostedTools {
		if !upstream.DeclarableHostedTool(t) {
			unknown = append(unknown, shownTool(t))
		}
	}
	if len(unknown) == 0 {
		return ""
	}
	return fmt.Sprintf("%s: not a hosted tool type; valid: %s (a dated name, such as web_search_preview_2025_03_11, is declared by its undated one)",
		strings.Join(unknown, ","), strings.Join(upstream.HostedToolTypes, ", "))
}

// toolName is the form a tool type takes (web_search_preview), which a
// key does not: lower case and underscores.
var toolName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

func shownTool(t string) string {
	if toolName.MatchString(t) {
		return fmt.Sprintf(" %q", t)
	}
	return " (not shown: it may be a key)"
}

// genericUpstreamPrefix begins the variables of a provider by its name,
// MODELROUTER_UPSTREAM_<NAME>_BASE_URL and its kin (upstream.FromEnv).
const genericUpstreamPrefix = "MODELROUTER_UPSTREAM_"

// declarationVariable is one MODELROUTER_UPSTREAM_<NAME><suffix> set in
// the environment (_OPENAI_API, _HOSTED_TOOLS).
type declarationVariable struct{ name, provider, value string }

// declarationVariables lists the environment's settings of the form
// MODELROUTER_UPSTREAM_<NAME><suffix>, by name, with the provider each
// names ("OPENAI" -> openai).
func declarationVariables(environ []string, suffix string) []declarationVariable {
	var out []declarationVariable
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		rest, ok := strings.CutPrefix(k, genericUpstreamPrefix)
		if !ok {
			continue
		}
		if name, ok := strings.CutSuffix(rest, suffix); ok && name != "" && strings.TrimSpace(v) != "" {
			out = append(out, declarationVariable{k, strings.ToLower(strings.ReplaceAll(name, "_", "-")), v})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// minHeldBytes is the smallest --max-held-bytes. The store holds rows a
// batch at a time (256 rows of about 2.6 KB each, as it estimates a row
// with the built-in catalog's candidates): a limit below a batch would
// drop every batch at once, which a value meant in MiB ("256") would do.
const minHeldBytes = 1 << 20

// A key put where a kind, base URL or address belongs (two variables
// swapped) must not reach the startup error, which lands in service and CI
// logs. These show the refused value, quoted after a space, only in a form
// a key does not take: a short word for a kind; for a base URL, one with
// "://" or a lower-case host name with a dot (or localhost) and maybe a
// port and a path, the usual URL without its scheme; for an address (addr,
// pprof), a bare port (8080, the slip for :8080) or a host that reads as
// an address (see hostIsAddress), maybe with a port.
var (
	kindWord   = regexp.MustCompile(`^[a-z]{1,20}$`)
	schemeless = regexp.MustCompile(`^(localhost|[a-z0-9-]+(\.[a-z0-9-]+)+)(:[0-9]+)?(/[A-Za-z0-9._~/-]*)?$`)
	// A lower-case host name: with a dot (an IPv4 address too), or one
	// label of at most 20 characters (web-01, gpu-box), shorter than keys.
	hostName = regexp.MustCompile(`^([a-z0-9-]{1,20}|[a-z0-9-]+(\.[a-z0-9-]+)+)$`)
	digits   = regexp.MustCompile(`^[0-9]{1,6}$`)
)

func shownAddr(a string) string {
	if addrShowable(a) {
		return fmt.Sprintf(" %q", a)
	}
	return " (not shown: it may be a key)"
}

// shownBlock is shownAddr for an address block (10.1.0.0/16): shown
// where its address part is one shownAddr shows and its length is a
// number.
func shownBlock(b string) string {
	addr, bits, isBlock := strings.Cut(b, "/")
	if addrShowable(addr) && (!isBlock || digits.MatchString(bits)) {
		return fmt.Sprintf(" %q", b)
	}
	return " (not shown: it may be a key)"
}

func addrShowable(a string) bool {
	if digits.MatchString(a) {
		return true
	}
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		host, port = a, ""
	} else if port != "" && !digits.MatchString(port) {
		return false
	}
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
	}
	return hostIsAddress(host)
}

// hostIsAddress reports whether host reads as an address to listen on:
// empty (every interface), an IP address or a lower-case host name.
// Anything else (a key put there by swapping two variables) would reach
// the listen error, which prints it, so it is refused before.
func hostIsAddress(host string) bool {
	return host == "" || net.ParseIP(host) != nil || hostName.MatchString(host)
}

// listenAddrProblem says what is wrong with a listen address, "" if
// nothing: it must be host:port, the port a number in 0-65535 and the host
// an address (hostIsAddress), so that net.Listen never meets, and prints,
// a value that is not one.
func listenAddrProblem(a string) string {
	host, port, err := net.SplitHostPort(a)
	if err != nil || port == "" {
		return "want host:port"
	}
	if n, err := strconv.Atoi(port); err != nil || !digits.MatchString(port) || n > 65535 {
		if digits.MatchString(port) {
			return fmt.Sprintf("port %d is not in 0-65535", n)
		}
		return "the port is not a number in 0-65535"
	}
	if !hostIsAddress(host) {
		return "the host is not an IP address or a lower-case host name"
	}
	return ""
}

func shownKind(kind string) string {
	if kindWord.MatchString(kind) {
		return fmt.Sprintf(" %q", kind)
	}
	return " (not shown: it may be a key)"
}

func shownBaseURL(u string) string {
	if strings.Contains(u, "://") || schemeless.MatchString(u) {
		return fmt.Sprintf(" %q", upstream.RedactURL(u))
	}
	return " (not shown: it may be a key)"
}

// loadConfigFile reads the file named by --config or MODELROUTER_CONFIG,
// if any, into o. A file that is valid JSON is applied even when some of
// its values are not; the error for those is a fileValuesError.
func loadConfigFile(o *serveOptions, path string, fs *flag.FlagSet) error {
	env := envMap(o.environ)
	if path == "" {
		path = env[EnvConfig]
	}
	if path == "" {
		return nil
	}
	fh, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	defer fh.Close()
	// A key field's ${VAR} may be given as VAR_FILE, as the variables serve
	// reads keys from are (readSecretFiles has read those already).
	keyFile := func(k string) (string, error) {
		if o.keyFiles[k] != "" {
			return env[k], nil
		}
		return keyFromFile(env, k)
	}
	f, err := readServeFileKeys(fh, func(k string) string { return env[k] }, keyFile)
	if f == nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	f.applyTo(o, set)
	o.configPath = path
	if info, err := fh.Stat(); err == nil {
		o.configKeysExposed = keysExposedBy(info.Mode().Perm(), f.keysWritten, f.keysNamed)
	}
	if err != nil {
		return fileValuesError{prefixEach(path, err)}
	}
	return nil
}

// prefixEach puts prefix (the file's name) before each of the errors that
// err joins, so that every line of the list says where it comes from.
func prefixEach(prefix string, err error) error {
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return fmt.Errorf("%s: %w", prefix, err)
	}
	var out []error
	for _, e := range joined.Unwrap() {
		out = append(out, prefixEach(prefix, e))
	}
	return errors.Join(out...)
}

// fileValuesError is a config file that was read but holds values that
// could not be: serve lists them with the other invalid settings.
type fileValuesError struct{ error }

func (e fileValuesError) Unwrap() error { return e.error }

// resolvedAdminKey is MODELROUTER_ADMIN_KEY when set, else the file's,
// without surrounding whitespace (a secret file's trailing newline).
func (o *serveOptions) resolvedAdminKey() string {
	if k := manage.TrimAdminKey(envMap(o.environ)[manage.EnvAdminKey]); k != "" {
		return k
	}
	return manage.TrimAdminKey(string(o.adminKey))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
