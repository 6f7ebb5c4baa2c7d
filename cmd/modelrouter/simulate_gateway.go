package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server"
	"github.com/modelrouter/modelrouter/server/openai"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// simulateProviders is the provider set simulate decides for: the one serve
// reads from the environment. Which models a request reaches through a
// translation (Claude from a Chat Completions body) decides what leaves
// them out and the output limit they are sent by default. Keys given as
// VAR_FILE count, and a file serve would refuse is refused here too, rather
// than read as no provider. A seam for tests.
var simulateProviders = func() (upstream.Providers, error) {
	environ, _, err := readSecretFiles(os.Environ())
	if err != nil {
		return upstream.Providers{}, fmt.Errorf("the providers serve would read: %w", err)
	}
	return upstream.FromEnviron(environ), nil
}

// simDeploymentName is the name the simulated deployment is served under
// in the in-process gateway; the bodies name it as their model.
const simDeploymentName = "simulate"

// gatewayDecider decides prompts with the gateway's own POST /v1/route
// handler, in process and without a listener, so every request is read,
// turned into the router's needs (images, PDF pages, file parts, n, the
// JSON response_format and what else only some providers carry, the
// default output limit Claude is sent) and decided as the running gateway
// would, rather than by a copy of that code that could drift from it.
type gatewayDecider struct {
	handler http.Handler
}

func newGatewayDecider(rt *router.Router, dep router.Deployment, providers upstream.Providers) gatewayDecider {
	dep.Name = simDeploymentName
	if os.Getenv(gin.EnvGinMode) == "" {
		gin.SetMode(gin.ReleaseMode) // as serve: no debug lines on stdout, where the table goes
	}
	gw := server.New(server.Config{
		Router:         rt,
		Supports:       providers.Supports,
		Drops:          providers.Drops,
		DerivedEffort:  providers.DerivedEffort,
		DefaultOutput:  providers.DefaultOutput,
		Truncates:      providers.Truncates,
		ReadsThinking:  providers.ReadsThinking,
		Deployments:    server.StaticDeployments{dep},
		EstimateTokens: models.EstimateJoinedTokens, // as serve counts them
		Logger:         slog.New(slog.DiscardHandler),
	})
	return gatewayDecider{handler: gw.Handler()}
}

// decide returns the gateway's decision for one Chat Completions body, or
// the error it answers with (code and message).
func (g gatewayDecider) decide(body []byte) (openai.RouteResponse, *gatewayError, error) {
	req := httptest.NewRequest(http.MethodPost, "/v1/route", bytes.NewReader(body))
	req.Host = "localhost" // the gateway answers only its own host names
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	g.handler.ServeHTTP(rec, req)
	if rec.Code == http.StatusOK {
		var rr openai.RouteResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &rr); err != nil {
			return rr, nil, fmt.Errorf("gateway decision: %w", err)
		}
		return rr, nil, nil
	}
	var eb openai.ErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil {
		return openai.RouteResponse{}, nil, fmt.Errorf("gateway answered HTTP %d: %s", rec.Code, rec.Body.Bytes())
	}
	ge := &gatewayError{status: rec.Code, message: eb.Error.Message}
	if eb.Error.Code != nil {
		ge.code = *eb.Error.Code
	}
	return openai.RouteResponse{}, ge, nil
}

// gatewayError is an error the gateway answered a decision with.
type gatewayError struct {
	status        int
	code, message string
}

// unroutable reports whether the error says no model could take the
// prompt (every candidate excluded, none configured, the router model
// unable to score them), as opposed to a request simulate cannot make.
func (e *gatewayError) unroutable() bool {
	switch e.code {
	case router.ENoEligible, router.ENotConfigured, router.ERouterModelUnavailable, router.ReasonContextLength:
		return true
	}
	return false
}
