package server

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"math"

	"github.com/modelrouter/modelrouter/server/internal/bodyread"
	"github.com/modelrouter/modelrouter/server/openai"
)

// refusedReadBytes is how far a body refused for its size is read for the
// model it names, on the wire and decompressed alike: twice the limit.
// Clients put the model anywhere (OpenAI's and Anthropic's Python SDKs
// send it after the messages, which are what makes a body too large), so
// reading only up to the limit would miss most; reading on to the end
// would let one client make the gateway read without end. Past the limit
// nothing is kept (jsonscan.LastString holds a few kilobytes), so a
// refused body costs the gateway less than one just under the limit,
// which it keeps and parses, and the limit still bounds what any call
// costs; the read stays under --body-timeout and --grace.
func refusedReadBytes(limit int64) int64 { return min(limit, math.MaxInt64/2) * 2 }

// modelOfRefused returns the model a body refused for its size names: err
// is bodyread.Read's refusal, which reads the body on (bodyread.Refused's
// ReadOn), to bound bytes in all; the connection of a body it does not
// read to its end is closed after the 413. It keeps nothing but the model.
func modelOfRefused(err error, enc string, bound int64) (model string) {
	var refused *bodyread.Refused
	if errors.As(err, &refused) {
		refused.ReadOn(bound, func(read []byte, rest io.Reader) {
			model = modelOfRead(read, rest, enc, bound)
		})
	}
	return model
}

// modelOfRead returns the model a body refused for its size names
// (openai.ModelOfCut): read is what was read of it, rest the rest as far
// as it is read, a gzip body decompressed as it is read, up to bound
// decompressed bytes.
func modelOfRead(read []byte, rest io.Reader, enc string, bound int64) string {
	plain := io.MultiReader(bytes.NewReader(read), rest)
	switch enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(plain)
		if err != nil {
			return ""
		}
		plain = bodyread.NewBounded(zr, bound)
	default:
		return "" // an encoding the gateway cannot read
	}
	return openai.ModelOfCut(plain)
}
