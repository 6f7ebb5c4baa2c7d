package jsonscan

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func compact(t *testing.T, b []byte) string {
	var out bytes.Buffer
	require.NoError(t, json.Compact(&out, b), "%q", b)
	return out.String()
}

// checkScan holds Elements and ParseObject to encoding/json on valid JSON,
// and only asks that they return on anything else.
func checkScan(t *testing.T, raw []byte) {
	raw = raw[:len(raw):len(raw)] // nothing past the end to slice into
	elems, isArray := Elements(raw)
	obj, isObject := ParseObject(raw)
	// Into a buffer that held another object's members: the same members.
	used, _ := ParseObject([]byte(`{"x":1,"y":2,"z":3,"w":4,"v":5}`))
	into, isObjectInto := ParseObjectInto(used, raw)
	require.Equal(t, isObject, isObjectInto, "%q", raw)
	require.Equal(t, obj, into, "%q", raw)
	checkWalkFrom(t, raw, elems, isArray)
	if !json.Valid(raw) {
		return
	}
	var arr []json.RawMessage
	if json.Unmarshal(raw, &arr) == nil && arr != nil {
		require.True(t, isArray, "%q is an array", raw)
		require.Len(t, elems, len(arr), "%q", raw)
		for i := range arr {
			assert.Equal(t, compact(t, arr[i]), compact(t, elems[i]), "%q element %d", raw, i)
		}
	} else {
		require.False(t, isArray, "%q is not an array", raw)
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) == nil && m != nil {
		require.True(t, isObject, "%q is an object", raw)
		for k, v := range m {
			got := obj.Get(k)
			require.NotNil(t, got, "%q member %q", raw, k)
			assert.Equal(t, compact(t, v), compact(t, got), "%q member %q", raw, k)
		}
	} else {
		require.False(t, isObject, "%q is not an object", raw)
	}
}

// checkWalkFrom holds EachElementFrom, reading each object element with
// EachMemberFrom where it lies, to Elements and ParseObject on valid JSON:
// the same elements, each object's members, and its end.
func checkWalkFrom(t *testing.T, raw []byte, elems [][]byte, isArray bool) {
	walked := [][]byte{}
	var members []Object
	ok := EachElementFrom(raw, func(raw []byte, i int) int {
		obj := Object{}
		end, isObject := EachMemberFrom(raw, i, func(k, v []byte) bool {
			obj = append(obj, Member{Key: k, Value: v})
			return true
		})
		if !isObject {
			end = Value(raw, i)
			obj = nil
		}
		if end <= i {
			return i
		}
		walked = append(walked, raw[i:end])
		members = append(members, obj)
		return end
	})
	if !json.Valid(raw) {
		return
	}
	require.Equal(t, isArray, ok, "%q", raw)
	if !isArray {
		return
	}
	require.Equal(t, elems, walked, "%q", raw)
	for i, e := range elems {
		want, isObject := ParseObject(e)
		if !isObject {
			assert.Nil(t, members[i], "%q element %d", raw, i)
			continue
		}
		assert.Equal(t, []Member(want), []Member(members[i]), "%q element %d", raw, i)
	}
}

func TestScanAgreesWithEncodingJSON(t *testing.T) {
	for _, raw := range []string{
		`[]`, ` [ ] `, `[1, "two", {"three": [3]}, null, true, -4.5e1]`, `["a\"]b", "\\"]`,
		`{}`, `{"a": 1, "b": {"c": "}"}, "a": 2}`, `{"t\u0079pe": "x", "k": [1, {"z": "\"{"}]}`,
		`{"a":"b"} `, `"x"`, `5`, `[1,]`, `{"a"}`, `{"a":}`, `[`, `{"a":1`, `["unterminated]`, `{,}`,
		`{"a":["cut short`, `[{"b":"cut short`, `[{}, {"a":{"b":[]}} , 3,{ "c" : "}" }]`, `[{"a":1}{"b":2}]`,
	} {
		checkScan(t, []byte(raw))
	}
	obj, ok := ParseObject([]byte(`{"type":"text","text":"hi","type":"image"}`))
	require.True(t, ok)
	assert.Equal(t, `"image"`, string(obj.Get("type")), "the last of duplicates, as encoding/json")
	assert.Nil(t, obj.Get("missing"))
}

func FuzzScan(f *testing.F) {
	for _, seed := range []string{`[1,{"a":[2,"]"]},"\"",null]`, `{"a":{"b":"c"},"d\n":[],"a":3}`, `[ ]`, `{"x":"\u0041"}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkScan(t, raw) })
}

// EachElement and EachMember stop where the callback says, and still
// report the array or object they were walking.
func TestEachStopsWhenTold(t *testing.T) {
	var seen []string
	ok := EachElement([]byte(`[1, "two", {"three": 3}, 4]`), func(e []byte) bool {
		seen = append(seen, string(e))
		return len(seen) < 2
	})
	assert.True(t, ok)
	assert.Equal(t, []string{`1`, `"two"`}, seen)

	seen = nil
	ok = EachMember([]byte(`{"a": 1, "b\"": [2], "c": 3}`), func(k, v []byte) bool {
		seen = append(seen, string(k)+"="+string(v))
		return len(seen) < 2
	})
	assert.True(t, ok)
	assert.Equal(t, []string{`a=1`, `b\"=[2]`}, seen)

	assert.False(t, EachElement([]byte(`{"a": 1}`), func([]byte) bool { return true }))
	assert.False(t, EachMember([]byte(`[1]`), func(_, _ []byte) bool { return true }))
}
