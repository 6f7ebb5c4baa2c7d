// Package upstream talks to the LLM providers that answer routed requests:
// it knows which providers are configured, rewrites the client's raw body
// for the chosen model (and translates it where the client's API and the
// provider's differ: OpenAI's and Anthropic's), sends it, streams
// the answer back with `model` naming the model that answered, reads usage
// on the side, and fails over to the next-ranked model on retryable errors.
package upstream

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/modelrouter/modelrouter/router"
)

// Provider kinds: the wire protocol and auth a provider speaks.
const (
	KindOpenAI    = "openai"    // OpenAI-compatible, Authorization: Bearer
	KindAnthropic = "anthropic" // Anthropic Messages API, x-api-key
	KindAzure     = "azure"     // Azure OpenAI deployments, api-key header
)

// Default base URLs, as the official SDKs default them.
const (
	DefaultOpenAIBaseURL    = "https://api.openai.com/v1"
	DefaultAnthropicBaseURL = "https://api.anthropic.com"
	DefaultDeepSeekBaseURL  = "https://api.deepseek.com"
	DefaultXAIBaseURL       = "https://api.x.ai/v1"
	// DefaultAzureAPIVersion is the api-version of Azure Chat Completions
	// calls when none is configured: the first that serves the o-series and
	// GPT-5 deployments (earlier ones answer "Model ... is enabled only
	// for api versions 2024-12-01-preview and later").
	DefaultAzureAPIVersion = "2025-04-01-preview"
)

// Provider is one configured upstream. APIKey is secret: String and
// GoString never show it, nor a password in BaseURL.
type Provider struct {
	Name    string
	Kind    string
	BaseURL string
	APIKey  string
	// APIVersion is Azure's api-version query parameter (empty:
	// DefaultAzureAPIVersion).
	APIVersion string
	// OpenAIAPI declares that BaseURL reaches OpenAI's own API though its
	// host is not OpenAI's: a proxy in front of it (a corporate egress
	// proxy, LiteLLM, an AI gateway), which passes on what OpenAI stores
	// and answers. The user says so (the file's openai_api,
	// MODELROUTER_UPSTREAM_<NAME>_OPENAI_API): by its host such a proxy
	// reads as a server of one's own (openAIsAPI, ownAPI).
	OpenAIAPI bool
	// HostedTools declares the tool types OpenAI's platform runs
	// (hostedTool), or only a provider's own API runs (providerTools:
	// Groq's browser_search, xAI's x_search), that BaseURL's server runs
	// too, though it is not that API: vLLM or SGLang started with a tool
	// server, which run web search, the code interpreter or MCP for
	// gpt-oss. Names are from HostedToolTypes. The user says so (the file's hosted_tools,
	// MODELROUTER_UPSTREAM_<NAME>_HOSTED_TOOLS); undeclared, a server of
	// one's own gets no call that declares such a tool, and a provider's
	// own public API none but the types it documents (hostedToolRefusal,
	// publicAPIHostedTools, providerToolRefusal), to which a declaration
	// adds.
	HostedTools []string
}

// String describes the provider without its key, and without the
// password of a base URL that carries one (Go's client sends it as basic
// auth, so it is a credential too). A provider read as OpenAI's API
// (openAIsAPI) says so, "openai_api", and "openai_api declared" where only
// the setting of that name makes it so, not its host: what OpenAI stores
// goes only there, so the startup log shows how a base URL was read. A
// hosted_tools declaration is shown as "hosted_tools declared: " and its
// tool types.
func (p Provider) String() string {
	key := "no key"
	if p.APIKey != "" {
		key = "key set"
	}
	var how string
	switch {
	case !openAIsAPI(p):
	case openAIHost(p.BaseURL):
		how = ", openai_api"
	default:
		how = ", openai_api declared"
	}
	if len(p.HostedTools) > 0 {
		how += ", hosted_tools declared: " + strings.Join(p.HostedTools, " ")
	}
	return fmt.Sprintf("%s (%s, %s, %s%s)", p.Name, p.Kind, RedactURL(p.BaseURL), key, how)
}

// RedactURL is raw with the secret of its userinfo shown as "xxxxx": its
// password (url.URL.Redacted), or, with no password (userIsAName), the
// whole userinfo, as a proxy that takes a token as the user
// (https://sk-TOKEN@proxy/v1) has it. A URL that does not parse but has
// an "@" in it, which may be userinfo, is not shown at all.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if strings.Contains(raw, "@") {
			return "(a URL that does not parse, not shown: it may hold a password)"
		}
		return raw
	}
	if u.User != nil && !userIsAName(u.User) {
		u.User = url.User("xxxxx")
	}
	return u.Redacted()
}

// userIsAName reports whether the user of u's userinfo is a name beside
// a password, not a secret: with no password, or an empty one, the user
// is the whole credential Go's client sends as basic auth ("sk-TOKEN:"),
// which some proxies take a token as. A name beside a password is shown,
// as url.URL.Redacted shows it: it says which account the gateway uses.
func userIsAName(u *url.Userinfo) bool {
	password, _ := u.Password()
	return password != ""
}

// GoString keeps %#v from printing the key.
func (p Provider) GoString() string { return "upstream.Provider{" + p.String() + "}" }

// Providers is the set of configured upstreams.
type Providers struct {
	// ByName maps a catalog provider name ("openai", "anthropic", "meta")
	// to its configuration.
	ByName map[string]Provider
	// Default, when set, is an OpenAI-compatible server that serves every
	// model whose own provider is not configured.
	Default *Provider
}

// String lists the configured providers without keys.
func (ps Providers) String() string {
	var parts []string
	for _, name := range ps.Names() {
		parts = append(parts, ps.ByName[name].String())
	}
	if ps.Default != nil {
		parts = append(parts, "default: "+ps.Default.String())
	}
	if len(parts) == 0 {
		return "no upstream providers configured"
	}
	return strings.Join(parts, "; ")
}

// Names lists the configured provider names in order.
func (ps Providers) Names() []string {
	names := make([]string, 0, len(ps.ByName))
	for n := range ps.ByName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Resolve returns the provider that serves m: its own, Azure for OpenAI
// models when only Azure is configured, then the default server.
func (ps Providers) Resolve(m router.Model) (Provider, bool) {
	if p, ok := ps.ByName[m.Provider]; ok {
		return p, true
	}
	if m.Provider == "openai" {
		if p, ok := ps.ByName["azure"]; ok {
			return p, true
		}
	}
	if ps.Default != nil {
		return *ps.Default, true
	}
	return Provider{}, false
}

// Available returns "" when m can be forwarded, otherwise a reason that
// names the environment variable to set.
func (ps Providers) Available(m router.Model) string {
	if _, ok := ps.Resolve(m); ok {
		return ""
	}
	if m.Provider == "" {
		return fmt.Sprintf("model %s names no provider: set MODELROUTER_UPSTREAM_DEFAULT_BASE_URL", modelID(m))
	}
	return fmt.Sprintf("provider %s not configured: set %s", m.Provider, envHint(m.Provider))
}

// Supports returns "" when m's provider serves api with tools of the
// given types (and the ContentPrefix needs among them, and within its
// documented caps on the counted ones: NeedTools, NeedMessages, NeedStops, NeedImages, NeedBytes, NeedToolName, and
// able to read what OpenAI stores where the call names it: NeedOpenAIStore, to
// run OpenAI's moderation where the call asks for it: NeedOpenAIModeration, and
// to run the tools OpenAI's platform runs where a Responses call declares one,
// and those only a provider's own API runs: providerTools), otherwise why not.
// The server excludes such candidates before routing. A provider reached
// through a translation carries only what both APIs have: an Anthropic
// provider serves Chat Completions and Responses calls with function tools
// only (OpenAI's built-in tools, MCP and custom tools have no Messages
// form), an OpenAI-compatible one serves Messages calls with client tools
// ("custom") only (Anthropic's server tools run at Anthropic). A provider
// whose Responses API serves fewer models than its Chat Completions API
// (DeepSeek's) does not serve Responses calls for the others.
func (ps Providers) Supports(m router.Model, api API, toolTypes ...string) string {
	p, ok := ps.Resolve(m)
	if !ok {
		return ""
	}
	if api == APIResponses {
		if why := responsesRefusal(p, m); why != "" {
			return why
		}
	}
	if why := limitRefusal(p, m, api, toolTypes); why != "" {
		return why
	}
	if why := openAIStoreRefusal(p, m, toolTypes); why != "" {
		return why
	}
	if why := moderationRefusal(p, api, toolTypes); why != "" {
		return why
	}
	if why := hostedToolRefusal(p, m, api, toolTypes); why != "" {
		return why
	}
	if why := providerToolRefusal(p, m, api, toolTypes); why != "" {
		return why
	}
	// A provider that speaks the client's API carries all of it.
	if translationFor(api, p.Kind) == nil {
		return ""
	}
	// Translated: tools only of the kind both APIs have (Anthropic's
	// client tools are OpenAI's functions), and nothing that only the
	// client's own API carries.
	plain := "function"
	if api == APIMessages {
		plain = "custom"
	}
	for _, t := range toolTypes {
		if isLimitNeed(t) || isOpenAIStoreNeed(t) || t == NeedOpenAIModeration {
			continue // limitRefusal's, openAIStoreRefusal's, the ContentPrefix need's
		}
		if t == NeedStructuredOutput {
			if !m.Capabilities.StructuredOutput {
				return "no structured output support"
			}
			continue
		}
		if what, ok := strings.CutPrefix(t, ContentPrefix); ok {
			return fmt.Sprintf("provider %s cannot carry %s", p.Name, what)
		}
		if t != plain {
			return fmt.Sprintf("provider %s cannot carry tool type %s", p.Name, quotedCut(t))
		}
	}
	return ""
}

// ContentPrefix marks, among the types passed to Supports, what only the
// client's own API carries ("content:document blocks" on Messages,
// "content:previous_response_id" on Responses): a provider reached through
// a translation cannot serve it.
const ContentPrefix = "content:"

// NeedStructuredOutput, among the types passed to Supports, is a Messages
// call's JSON schema output (output_config.format): Claude takes it
// itself; translated, it is Chat Completions' json_schema response_format,
// which only a model with structured output takes.
const NeedStructuredOutput = "need:structured output"

func envHint(provider string) string {
	switch provider {
	case "openai":
		return "OPENAI_API_KEY (or AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY)"
	case "anthropic":
		return "ANTHROPIC_API_KEY"
	case "azure":
		return "AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY"
	case "deepseek":
		return "DEEPSEEK_API_KEY"
	case "xai":
		return "XAI_API_KEY"
	}
	return genericPrefix + envName(provider) + "_BASE_URL"
}

const genericPrefix = "MODELROUTER_UPSTREAM_"

// envName turns a provider name into its environment variable part:
// "mistral-ai" -> "MISTRAL_AI".
func envName(provider string) string {
	return strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(provider))
}

// FromEnv reads the official SDKs' variables (OPENAI_API_KEY and
// OPENAI_BASE_URL, ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL,
// AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and OPENAI_API_VERSION,
// DEEPSEEK_API_KEY and DEEPSEEK_BASE_URL, XAI_API_KEY and XAI_BASE_URL)
// and MODELROUTER_UPSTREAM_DEFAULT_BASE_URL (with _DEFAULT_API_KEY).
// getenv can only answer for names it is asked, so generic providers
// (MODELROUTER_UPSTREAM_<NAME>_BASE_URL) are read for the names given in
// extra; FromEnviron discovers them.
func FromEnv(getenv func(string) string, extra ...string) Providers {
	ps := Providers{ByName: map[string]Provider{}}
	add := func(name, kind, baseEnv, defaultBase, keyEnv string) {
		base, key := strings.TrimSpace(getenv(baseEnv)), strings.TrimSpace(getenv(keyEnv))
		if base == "" && key == "" {
			return
		}
		if base == "" {
			base = defaultBase
		}
		ps.ByName[name] = Provider{Name: name, Kind: kind, BaseURL: strings.TrimRight(base, "/"), APIKey: key}
	}
	add("openai", KindOpenAI, "OPENAI_BASE_URL", DefaultOpenAIBaseURL, "OPENAI_API_KEY")
	if p, ok := ps.ByName["openai"]; ok {
		p.OpenAIAPI, _ = ParseOpenAIAPI(getenv(OpenAIAPIVariable("openai")))
		ps.ByName["openai"] = p
	}
	add("anthropic", KindAnthropic, "ANTHROPIC_BASE_URL", DefaultAnthropicBaseURL, "ANTHROPIC_API_KEY")
	add("deepseek", KindOpenAI, "DEEPSEEK_BASE_URL", DefaultDeepSeekBaseURL, "DEEPSEEK_API_KEY")
	add("xai", KindOpenAI, "XAI_BASE_URL", DefaultXAIBaseURL, "XAI_API_KEY")
	if endpoint := strings.TrimSpace(getenv("AZURE_OPENAI_ENDPOINT")); endpoint != "" {
		version := strings.TrimSpace(getenv("OPENAI_API_VERSION"))
		if version == "" {
			version = DefaultAzureAPIVersion
		}
		ps.ByName["azure"] = Provider{
			Name: "azure", Kind: KindAzure, BaseURL: strings.TrimRight(endpoint, "/"),
			APIKey: strings.TrimSpace(getenv("AZURE_OPENAI_API_KEY")), APIVersion: version,
		}
	}
	for _, name := range extra {
		if p, ok := generic(getenv, name); ok {
			ps.ByName[p.Name] = p
		}
	}
	if p, ok := generic(getenv, "default"); ok {
		ps.Default = &p
		delete(ps.ByName, "default")
	}
	// Read for every provider the environment configures, whatever its
	// kind: the caller's validation refuses the declaration where it
	// cannot apply, and a name not in HostedToolTypes.
	for name, p := range ps.ByName {
		p.HostedTools = SplitList(getenv(HostedToolsVariable(name)))
		ps.ByName[name] = p
	}
	if ps.Default != nil {
		ps.Default.HostedTools = SplitList(getenv(HostedToolsVariable("default")))
	}
	return ps
}

// SplitList reads a comma-separated list setting: its names, without
// spaces, empty ones left out, case kept. It does not judge them: the
// caller's validation refuses a name it does not know. The environment's
// lists (HostedToolsVariable) are read so, and modelrouter's list flags
// (--models, --modes, --candidates...) with it, so that a list reads the
// same wherever it is given.
func SplitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// generic reads MODELROUTER_UPSTREAM_<NAME>_BASE_URL, _API_KEY and the
// optional _KIND (openai when unset; anthropic for a Messages-API server).
// A _KIND that names no kind is kept as given, for the caller's validation
// to refuse: read as openai, a typo would send every call in the wrong
// protocol.
func generic(getenv func(string) string, name string) (Provider, bool) {
	name = strings.ToLower(name)
	prefix := genericPrefix + envName(name)
	base := strings.TrimRight(strings.TrimSpace(getenv(prefix+"_BASE_URL")), "/")
	if base == "" {
		return Provider{}, false
	}
	kind := strings.ToLower(strings.TrimSpace(getenv(prefix + "_KIND")))
	if kind == "" {
		kind = KindOpenAI
	}
	// A value that is no boolean reads as false, for the caller's
	// validation to refuse (ParseOpenAIAPI).
	openAIAPI, _ := ParseOpenAIAPI(getenv(OpenAIAPIVariable(name)))
	return Provider{
		Name: name, Kind: kind, BaseURL: base,
		APIKey:     strings.TrimSpace(getenv(prefix + "_API_KEY")),
		APIVersion: strings.TrimSpace(getenv(prefix + "_API_VERSION")),
		OpenAIAPI:  openAIAPI,
	}, true
}

// OpenAIAPIVariable is the environment variable that declares provider
// name's base URL a way to OpenAI's API (Provider.OpenAIAPI):
// MODELROUTER_UPSTREAM_OPENAI_OPENAI_API for the provider OPENAI_BASE_URL
// configures, MODELROUTER_UPSTREAM_DEFAULT_OPENAI_API for the default
// server.
func OpenAIAPIVariable(name string) string { return genericPrefix + envName(name) + "_OPENAI_API" }

// ParseOpenAIAPI reads OpenAIAPIVariable's value: true or false (as
// strconv.ParseBool reads them: 1, t, TRUE, ...), unset for false.
func ParseOpenAIAPI(v string) (bool, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return false, nil
	}
	return strconv.ParseBool(v)
}

// EnvSettings names the environment variables that set the base URL and
// the kind of provider name as FromEnv reads it (kind is "" where the
// variables fix the kind), so a message about a bad value can name the
// setting to change. "default" is MODELROUTER_UPSTREAM_DEFAULT_*.
func EnvSettings(getenv func(string) string, name string) (baseURL, kind string) {
	prefix := genericPrefix + envName(name)
	if name == "default" || strings.TrimSpace(getenv(prefix+"_BASE_URL")) != "" {
		return prefix + "_BASE_URL", prefix + "_KIND"
	}
	switch name {
	case "openai":
		return "OPENAI_BASE_URL", ""
	case "anthropic":
		return "ANTHROPIC_BASE_URL", ""
	case "deepseek":
		return "DEEPSEEK_BASE_URL", ""
	case "xai":
		return "XAI_BASE_URL", ""
	case "azure":
		return "AZURE_OPENAI_ENDPOINT", ""
	}
	return prefix + "_BASE_URL", prefix + "_KIND"
}

// FromEnviron is FromEnv over os.Environ()-style "KEY=value" pairs; it also
// finds every MODELROUTER_UPSTREAM_<NAME>_BASE_URL. <NAME> maps to the
// provider name in lower case with "_" read as "-" (META -> meta,
// MISTRAL_AI -> mistral-ai).
func FromEnviron(environ []string) Providers {
	vars := map[string]string{}
	var names []string
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
		if rest, ok := strings.CutPrefix(k, genericPrefix); ok {
			if name, ok := strings.CutSuffix(rest, "_BASE_URL"); ok && name != "DEFAULT" && name != "" {
				names = append(names, strings.ToLower(strings.ReplaceAll(name, "_", "-")))
			}
		}
	}
	return FromEnv(func(k string) string { return vars[k] }, names...)
}

func modelID(m router.Model) string {
	if m.ID != "" {
		return m.ID
	}
	return m.Name
}
