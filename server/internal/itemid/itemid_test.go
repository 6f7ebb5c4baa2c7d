package itemid

import "testing"

func TestAnItemIDLeadsBackToItsResponse(t *testing.T) {
	for _, c := range []struct{ prefix, response string }{
		{"msg_", "resp_01XFDUDYJgAACzvnptvVoYEL"},
		{"fc_", "resp_01XFDUDYJgAACzvnptvVoYEL"},
		{"msg_", "resp_a_b-c_7"}, // an Anthropic id may hold '_' and digits
	} {
		id := Make(c.prefix, c.response, 12)
		got, ok := Response(id)
		if !ok || got != c.response {
			t.Errorf("Response(%q) = %q, %t; want %q", id, got, ok, c.response)
		}
	}
}

func TestOtherItemIDsNameNoResponse(t *testing.T) {
	for _, id := range []string{
		"msg_67ccd3acc8d48190a77525dc6de64b4104becb25c8f23b9b", // OpenAI's
		"fc_67ccd3acc8d48190a77525dc6de64b4104becb25c8f23b9b",
		"rs_resp_1_0",   // not a kind the gateway writes
		"msg_resp_1",    // no place
		"msg_resp__0",   // no response id
		"msg_resp_1_x",  // place not a number
		"msg_resp_1_-1", // nor a negative one
		"item_resp_1_0", // input_items' ids for items sent without one
		"msg_resp_1_0 ", // trailing space
		"msg_resp_1_99999999999999999999",
	} {
		if got, ok := Response(id); ok {
			t.Errorf("Response(%q) = %q, true; want false", id, got)
		}
	}
}
