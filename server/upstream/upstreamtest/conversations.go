package upstreamtest

import (
	"fmt"
	"strings"
)

// The bodies of an agent's turn late in its session, for benchmarks:
// turns earlier turns, each a question, a tool call, the tool's 4 KB
// output (a file the agent read) and a short answer, then the question
// being asked. 60 turns make about 270 KB on each API.

// toolOutput is a 4 KB tool result.
var toolOutput = strings.Repeat("func f() { return 42 } // a line of the file that was read\n", 70)

// AgentChat is the conversation as a Chat Completions body.
func AgentChat(turns int) string {
	var b strings.Builder
	b.WriteString(`{"model":"model-router","tools":[{"type":"function","function":{"name":"read","parameters":{"type":"object"}}}],"messages":[{"role":"system","content":"You are a coding agent."}`)
	for i := range turns {
		fmt.Fprintf(&b, `,{"role":"user","content":"Look at file %d."}`, i)
		fmt.Fprintf(&b, `,{"role":"assistant","content":null,"tool_calls":[{"id":"call_%d","type":"function","function":{"name":"read","arguments":"{\"path\":\"f%d.go\"}"}}]}`, i, i)
		fmt.Fprintf(&b, `,{"role":"tool","tool_call_id":"call_%d","content":%q}`, i, toolOutput)
		b.WriteString(`,{"role":"assistant","content":"I read it; it returns 42."}`)
	}
	b.WriteString(`,{"role":"user","content":"Now explain what the code base does."}]}`)
	return b.String()
}

// AgentMessages is the conversation as an Anthropic Messages body.
func AgentMessages(turns int) string {
	var b strings.Builder
	b.WriteString(`{"model":"model-router","max_tokens":1024,"system":"You are a coding agent.","tools":[{"name":"read","input_schema":{"type":"object"}}],"messages":[`)
	for i := range turns {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"role":"user","content":"Look at file %d."}`, i)
		fmt.Fprintf(&b, `,{"role":"assistant","content":[{"type":"tool_use","id":"toolu_%d","name":"read","input":{"path":"f%d.go"}}]}`, i, i)
		fmt.Fprintf(&b, `,{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_%d","content":%q},{"type":"text","text":"Go on."}]}`, i, toolOutput)
		b.WriteString(`,{"role":"assistant","content":"I read it; it returns 42."}`)
	}
	b.WriteString(`,{"role":"user","content":"Now explain what the code base does."}]}`)
	return b.String()
}

// ClaudeCodeThinking is the conversation as Claude Code sends it with
// extended thinking on: every assistant turn a signed thinking block and a
// tool call, every user turn after the first the tool's result. It ends in
// a tool result, mid-loop, as most of Claude Code's calls do.
func ClaudeCodeThinking(turns int) string {
	var b strings.Builder
	b.WriteString(`{"model":"model-router","max_tokens":32000,"thinking":{"type":"enabled","budget_tokens":31999},"system":"You are a coding agent.","tools":[{"name":"read","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"Explain what the code base does."}`)
	for i := range turns {
		fmt.Fprintf(&b, `,{"role":"assistant","content":[{"type":"thinking","thinking":"File %d is next; reading it tells what it returns.","signature":%q},{"type":"tool_use","id":"toolu_%d","name":"read","input":{"path":"f%d.go"}}]}`, i, thinkingSignature, i, i)
		fmt.Fprintf(&b, `,{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_%d","content":%q}]}`, i, toolOutput)
	}
	b.WriteString(`]}`)
	return b.String()
}

// thinkingSignature is about the size of a thinking block's signature.
var thinkingSignature = strings.Repeat("EqQBCkYIBxgCKkBq3vW1", 20)

// AgentResponses is the conversation as a Responses API body.
func AgentResponses(turns int) string {
	var b strings.Builder
	b.WriteString(`{"model":"model-router","instructions":"You are a coding agent.","tools":[{"type":"function","name":"read","parameters":{"type":"object"}}],"input":[`)
	for i := range turns {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"role":"user","content":"Look at file %d."}`, i)
		fmt.Fprintf(&b, `,{"type":"function_call","call_id":"call_%d","name":"read","arguments":"{\"path\":\"f%d.go\"}"}`, i, i)
		fmt.Fprintf(&b, `,{"type":"function_call_output","call_id":"call_%d","output":%q}`, i, toolOutput)
		b.WriteString(`,{"role":"assistant","content":"I read it; it returns 42."}`)
	}
	b.WriteString(`,{"role":"user","content":"Now explain what the code base does."}]}`)
	return b.String()
}

// The bodies of many one-word messages, for benchmarks of what the gateway
// keeps per message: n user and assistant turns in turn, "hi" and "ok",
// then a question. 100,000 make about 3.4 MB on Chat Completions.

// ShortTurnsChat is n one-word messages as a Chat Completions body.
func ShortTurnsChat(n int) string {
	return shortTurns(`{"model":"model-router","messages":[`, n)
}

// ShortTurnsMessages is n one-word messages as an Anthropic Messages body.
func ShortTurnsMessages(n int) string {
	return shortTurns(`{"model":"model-router","max_tokens":1024,"messages":[`, n)
}

// ShortTurnsResponses is n one-word messages as a Responses API body.
func ShortTurnsResponses(n int) string {
	return shortTurns(`{"model":"model-router","input":[`, n)
}

func shortTurns(head string, n int) string {
	var b strings.Builder
	b.Grow(len(head) + 34*n + 80)
	b.WriteString(head)
	for i := range n {
		role, word := "user", "hi"
		if i%2 == 1 {
			role, word = "assistant", "ok"
		}
		fmt.Fprintf(&b, `{"role":%q,"content":%q},`, role, word)
	}
	b.WriteString(`{"role":"user","content":"Now say what we talked about."}]}`)
	return b.String()
}
