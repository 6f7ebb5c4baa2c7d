package models

import (
	"regexp"
	"slices"
	"strings"
)

// Hosted providers spell the model names the router model's profiles carry
// in their own ways; ProfileName reads those spellings here.
//
// Amazon Bedrock names a model "[region.]provider.model-vN:M[:CTXk]": a
// cross-region inference profile's region, the provider, the model,
// Bedrock's version of its entry and, for provisioned throughput, a
// context window. Only these providers are read as one,
// so a name that merely has a dot before its first dash ("qwen2.5-72b")
// stays as it is.
var (
	bedrockRegions   = []string{"us", "us-gov", "eu", "apac", "global", "jp", "au", "ca"}
	bedrockProviders = []string{"ai21", "amazon", "anthropic", "cohere", "deepseek", "meta", "mistral", "openai", "qwen", "writer"}
	// bedrockVersion is the "-vN:M" that ends a Bedrock model ID ("-1:0"
	// without the "v" for OpenAI's gpt-oss), then the ":48k" of an entry
	// for provisioned throughput with that context window, the same
	// model's weights.
	bedrockVersion = regexp.MustCompile(`-(v?)(\d+):(\d+)(?::\d+k)?$`)
	// bedrockLlama is Bedrock's "llama3-1-" for Llama 3.1 (and "llama3-"
	// for Llama 3): the major version, then the minor one where given.
	bedrockLlama = regexp.MustCompile(`^llama(\d+)(?:-(\d+))?-`)
	// claudeDotted is OpenRouter's "claude-3.5-" for Anthropic's
	// "claude-3-5-". Only before a dash: "claude-2.1" is Anthropic's own
	// name for Claude 2.1.
	claudeDotted = regexp.MustCompile(`^claude-(\d)\.(\d)-`)
)

// fromBedrock returns the model's name in a Bedrock model ID s (lower
// case, already cut after any "/" of an ARN), or s where it is none.
func fromBedrock(s string) string {
	rest := s
	if i := strings.IndexByte(rest, '.'); i > 0 && slices.Contains(bedrockRegions, rest[:i]) {
		rest = rest[i+1:]
	}
	i := strings.IndexByte(rest, '.')
	if i <= 0 || !slices.Contains(bedrockProviders, rest[:i]) {
		return s
	}
	provider, model := rest[:i], rest[i+1:]
	// Without its "v" only Bedrock's first entry ("1:0") is read: what
	// another number would be is not known.
	if m := bedrockVersion.FindStringSubmatch(model); m != nil && (m[1] == "v" || m[2] == "1" && m[3] == "0") {
		model = strings.TrimSuffix(model, m[0])
		switch major, minor := m[2], m[3]; {
		case endsInSnapshotDate(model), major == "1" && minor == "0":
			// Bedrock's count of its entries of the model, which the
			// name before it already names: the date of Claude 3.5
			// Sonnet's "20241022-v2:0", Llama 3.1's first "v1:0".
		case major == "0":
			// Mistral's own version: "mixtral-8x7b-instruct-v0:1" is
			// Mixtral-8x7B-Instruct-v0.1.
			model += "-v0." + minor
		case minor == "0":
			model += "-v" + major
		default:
			// "claude-v2:1" is Claude 2.1, no Claude 2.0.
			model += "-v" + major + "." + minor
		}
	}
	if provider == "meta" {
		if m := bedrockLlama.FindStringSubmatch(model); m != nil {
			version := m[1]
			if m[2] != "" {
				version += "." + m[2]
			}
			model = "llama-" + version + "-" + strings.TrimPrefix(model, m[0])
		}
	}
	return model
}

// endsInSnapshotDate says whether name ends in "-YYYYMMDD", a snapshot's
// date (isSnapshotDate).
func endsInSnapshotDate(name string) bool {
	i := strings.LastIndexByte(name, '-')
	return i >= 0 && isSnapshotDate(name[i+1:])
}

// undotClaude reads OpenRouter's "claude-3.5-sonnet" as Anthropic's
// "claude-3-5-sonnet".
func undotClaude(s string) string {
	return claudeDotted.ReplaceAllString(s, "claude-$1-$2-")
}
