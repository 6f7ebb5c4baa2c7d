package upstream

import "github.com/modelrouter/modelrouter/router"

// RewriteOpenAI is rewriteOpenAI over a client's raw body, as forward
// runs it, for the tests outside the package.
func RewriteOpenAI(raw []byte, api API, m router.Model) ([]byte, error) {
	obj, err := scanObject(raw)
	if err != nil {
		return nil, err
	}
	rewriteOpenAI(&obj, api, m)
	return obj.encode(), nil
}
