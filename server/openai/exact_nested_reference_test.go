package openai

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// The reference below is exactNested written plainly and slowly, with
// nothing of its tree, its callbacks or jsonscan: the body decoded by
// encoding/json's tokens (every key, in order, escapes decoded), each
// nestedPaths entry followed on its own, every variant collected, then
// the first picked.
//
// Which is first: exactNested walks path order, and the reference sorts
// by it. Two variants compare at the first place their paths part: an
// object's own members come before the objects below it, and among
// themselves in the body's order; elements go by index; members leading
// further go in the order their paths first appear in nestedPaths.

// refValue is a decoded JSON value: an object's members in the body's
// order (duplicates kept), an array's elements, or a scalar (neither).
type refValue struct {
	object  bool
	members []refMember
	array   bool
	elems   []*refValue
}

type refMember struct {
	key   string
	value *refValue
}

// refDecode decodes raw, which must be one JSON value and nothing more.
func refDecode(raw []byte) (*refValue, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	v, err := refDecodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("more after the value")
	}
	return v, nil
}

func refDecodeValue(dec *json.Decoder) (*refValue, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		v := &refValue{object: true}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			m, err := refDecodeValue(dec)
			if err != nil {
				return nil, err
			}
			v.members = append(v.members, refMember{key: k.(string), value: m})
		}
		_, err := dec.Token() // '}'
		return v, err
	case json.Delim('['):
		v := &refValue{array: true}
		for dec.More() {
			e, err := refDecodeValue(dec)
			if err != nil {
				return nil, err
			}
			v.elems = append(v.elems, e)
		}
		_, err := dec.Token() // ']'
		return v, err
	}
	return &refValue{}, nil
}

// last is the value of o's last member named exactly key, nil if none
// (or o is no object): every reader takes the last of duplicates.
func (o *refValue) last(key string) *refValue {
	var found *refValue
	if o.object {
		for _, m := range o.members {
			if m.key == key {
				found = m.value
			}
		}
	}
	return found
}

// refVariant is a member named in another case: param and want as the
// error names them, order as the paragraph above.
type refVariant struct {
	param, want string
	order       []int
}

// refExactNested returns the error exactNested should give for body.
func refExactNested(api API, body *refValue) error {
	objs := nestedPaths[api]
	// firstSeen is where each path prefix first appears in objs.
	firstSeen := map[string]int{}
	for i, o := range objs {
		for j := range o.path {
			key := strings.Join(o.path[:j+1], "\x00")
			if _, ok := firstSeen[key]; !ok {
				firstSeen[key] = i
			}
		}
	}
	var variants []refVariant
	for _, o := range objs {
		type at struct {
			v     *refValue
			param string
			order []int
		}
		here := []at{{v: body}}
		for j, seg := range o.path {
			var next []at
			for _, a := range here {
				if seg == "[]" {
					if !a.v.array {
						continue
					}
					for i, e := range a.v.elems {
						next = append(next, at{e, a.param + "[" + strconv.Itoa(i) + "]", append(slices.Clone(a.order), i)})
					}
					continue
				}
				m := a.v.last(seg)
				if m == nil {
					continue
				}
				param := seg
				if a.param != "" {
					param = a.param + "." + seg
				}
				rank := firstSeen[strings.Join(o.path[:j+1], "\x00")]
				next = append(next, at{m, param, append(slices.Clone(a.order), rank)})
			}
			here = next
		}
		for _, a := range here {
			if !a.v.object {
				continue
			}
			for d, m := range a.v.members {
				for _, name := range o.names {
					if m.key != name && strings.EqualFold(m.key, name) {
						// -1: before any member leading further.
						variants = append(variants, refVariant{
							param: a.param + "." + m.key,
							want:  a.param + "." + name,
							order: append(slices.Clone(a.order), -1, d),
						})
					}
				}
			}
		}
	}
	if len(variants) == 0 {
		return nil
	}
	first := slices.MinFunc(variants, func(a, b refVariant) int { return slices.Compare(a.order, b.order) })
	return invalid(first.param, "unknown member %q (did you mean %q?)", first.param, first.want)
}

// checkExactNestedAgainstTheReference runs exactNested on body as Parse
// does and asserts it refuses what the reference refuses, with the same
// error.
func checkExactNestedAgainstTheReference(t *testing.T, api API, body []byte) {
	top, _, err := topObject(body)
	if err != nil {
		return // Parse stops before exactNested
	}
	got := exactNested(api, top)
	ref, err := refDecode(body)
	require.NoError(t, err, "topObject took %q", body)
	want := refExactNested(api, ref)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s body %q:\n got %v\nwant %v", api, body, got, want)
	}
	if want != nil {
		require.Equal(t, want, got)
	}
}

// exactNestedSeeds are bodies of each API: the agents' conversations and
// case variants like those the server's case_variant tests send, at each
// depth, with escapes, duplicates and values of other shapes.
func exactNestedSeeds(api API) []string {
	switch api {
	case Chat:
		return []string{
			upstreamtest.AgentChat(2),
			upstreamtest.ShortTurnsChat(3),
			`{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"Hi","Type":"image_url"}]}]}`,
			`{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"Hi"},{"type":"image_url","image_url":{"url":"u","URL":"v"}}]}]}`,
			`{"model":"m","messages":[{"role":"user","content":"Hi"},{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}","Arguments":"{\"a\":1}"}}]},{"role":"tool","tool_call_id":"c1","Tool_Call_Id":"c2","content":"ok"}]}`,
			`{"model":"m","messages":[{"role":"user","content":"x","\u0052ole":"system"}],"tools":[{"type":"function","function":{"name":"f","NAME":"g","parameters":{"type":"object","properties":{"Type":{"type":"string"}}}}}]}`,
			`{"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":{"type":"allowed_tools","allowed_tools":{"mode":"auto","tools":[{"type":"function","function":{"name":"f","Name":"g"}}]}},"functions":[{"Name":"f"}]}`,
			`{"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":"auto","response_format":{"type":"json_object","TYPE":"text"},"stream_options":{"include_usage":true,"Include_Usage":false}}`,
			`{"model":"m","messages":[{"role":"user","content":"x"}],"messages":[{"role":"user","Content":"y"}],"tools":[{"type":"function","type":"function","function":{"name":"f"},"function":{"name":"g"}}]}`,
			`{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"}],"content":[{"Type":"text","text":"b"}]}]}`,
			`{"model":"m","messages":[{"role":"user","cont\u0065nt":[{"type":"text","text":"a","T\u0065xt":"b"}]}],"t\u006fols":[{"type":"function","type":"function"}]}`,
			`{"model":"m","messages":[{"role":"user","content":[{"typ\u0065":"text","text":"a","type":"text"}],"role":"user"}]}`,
			// More than one variant: which is named first.
			`{"model":"m","messages":[{"Role":"user","CONTENT":"x"}]}`,
			`{"model":"m","messages":[{"role":"user","content":[{"Type":"text"}],"Tool_Call_Id":"c"}]}`,
			`{"model":"m","messages":[{"role":"user","content":[{"type":"text","TEXT":"a"}]},{"ROLE":"user"}],"tools":[{"type":"function","function":{"name":"f"},"Function":{}}]}`,
			`{"model":"m","messages":[{"role":"user","content":[{"Type":"text"}],"\u0063ontent":"s"}],"tools":[{"type":"function","function":{"Name":"f"}}],"tools":"x"}`,
			`{"model":"m","messages":[{"role":"user","content":"x","tool_calls":[{"id":"c","type":"function","function":{"ſ":1,"name":"f","\u004eame":"g"}}]}]}`,
		}
	case Responses:
		return []string{
			upstreamtest.AgentResponses(2),
			upstreamtest.ShortTurnsResponses(3),
			`{"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"Hi","Text":"Ho"}]}]}`,
			`{"model":"m","input":[{"type":"function_call_output","call_id":"c","output":[{"type":"input_text","text":"a","TYPE":"input_image"}]}]}`,
			`{"model":"m","input":"Hello","reasoning":{"effort":"low","effort":"high","Effort":"x"},"text":{"format":{"type":"text","Type":"json_schema"},"Verbosity":"low"}}`,
			`{"model":"m","input":"Hi","tools":[{"type":"function","name":"f","Name":"g","parameters":{"type":"object","properties":{"Name":{}}}}],"tool_choice":{"type":"allowed_tools","mode":"auto","tools":[{"type":"function","\u004eame":"f"}]}}`,
			`{"model":"m","input":[{"type":"message","role":"user","Role":"system","content":"x"}],"conversation":{"id":"c","ID":"d"},"prompt":{"Id":"p"}}`,
			`{"model":"m","input":[{"type":"message","role":"user","content":[{"type":"input_image","image_url":"u","File_Id":"f"}]}],"tool_choice":"auto"}`,
		}
	}
	return []string{
		upstreamtest.AgentMessages(2),
		upstreamtest.ShortTurnsMessages(3),
		`{"model":"m","max_tokens":64,"messages":[{"role":"user","content":"Hello"}],"tools":[{"name":"f","description":"d","input_schema":{"type":"object","properties":{"Type":{}}},"Input_Schema":{}}]}`,
		`{"model":"m","max_tokens":64,"messages":[{"role":"user","content":"Hello"}],"thinking":{"type":"enabled","budget_tokens":1024,"Budget_Tokens":2048},"tool_choice":{"type":"auto","Disable_Parallel_Tool_Use":true}}`,
		`{"model":"m","max_tokens":64,"messages":[{"role":"user","content":"Hello"}],"output_config":{"effort":"low","format":{"type":"json_schema","schema":{"type":"object"},"\u0053chema":{}}},"output_format":{"Type":"json_schema"}}`,
		`{"model":"m","max_tokens":64,"messages":[{"role":"user","content":"Hello"}],"metadata":{"user_id":"u","User_Id":"v","USER":"w"},"thread":{"type":"t","previous_message_id":"p","Previous_Message_Id":"q"}}`,
		`{"model":"m","max_tokens":64,"messages":[],"thinking":{"type":"enabled","budget_to\u212aens":1},"output_config":{"format":{"type":"json_schema","ſchema":{}}}}`,
		`{"model":"m","max_tokens":64,"metadata":{"\ud83d\ude00":1,"\ud800":2,"user_id":"u"},"tool_choice":{"\u0000type":1,"type":"auto"},"tools":[{"name":"f"}],"tools":"x"}`,
		`{"model":"m","max_tokens":64,"messages":[{"role":"user","content":"Hello"}],"tool_choice":"auto","thinking":"on","tools":[{"type":"custom","name":"f","input_schema":{"type":"object"},"STRICT":true}]}`,
	}
}

// longString is a JSON string of 64 bytes or more, as the agents' 4 KB
// tool outputs: the fuzzer minimizes each new input, which takes it
// seconds on a body of several KB.
var longString = regexp.MustCompile(`"(?:[^"\\]|\\.){64,}"`)

func fuzzExactNested(f *testing.F, api API) {
	for _, s := range exactNestedSeeds(api) {
		f.Add(longString.ReplaceAllString(s, `"a long text"`))
	}
	f.Fuzz(func(t *testing.T, body string) {
		checkExactNestedAgainstTheReference(t, api, []byte(body))
	})
}

// FuzzExactNestedMatchesAReference* assert that exactNested refuses what
// a plain reference refuses, with the same error, on any body Parse would
// pass it (and never panics).
func FuzzExactNestedMatchesAReferenceChat(f *testing.F) { fuzzExactNested(f, Chat) }

func FuzzExactNestedMatchesAReferenceResponses(f *testing.F) { fuzzExactNested(f, Responses) }

func FuzzExactNestedMatchesAReferenceMessages(f *testing.F) { fuzzExactNested(f, Messages) }
