package openai

import "strconv"

// paramPath is where a value sits in a request body, as an error's param
// names it ("messages[2].content[0].type"). It is formatted only for an
// error: every message and content block of every call passes one, and
// building each name as a string cost allocations per block. A path's
// parent lives in the caller's frame, so a path must not outlive the call
// it was passed to.
type paramPath struct {
	up    *paramPath
	name  string // a member's name; "" for element index of up
	index int
}

// paramAt is the path of a top-level member (or any fixed name, as
// "response_format.type").
func paramAt(name string) paramPath { return paramPath{name: name} }

// member is the path of p's member name.
func (p *paramPath) member(name string) paramPath { return paramPath{up: p, name: name} }

// elem is the path of p's element i.
func (p *paramPath) elem(i int) paramPath { return paramPath{up: p, index: i} }

func (p paramPath) String() string { return string(p.appendTo(nil)) }

func (p *paramPath) appendTo(b []byte) []byte {
	if p.up != nil {
		b = p.up.appendTo(b)
	}
	if p.name == "" {
		b = append(b, '[')
		b = strconv.AppendInt(b, int64(p.index), 10)
		return append(b, ']')
	}
	if p.up != nil {
		b = append(b, '.')
	}
	return append(b, p.name...)
}
