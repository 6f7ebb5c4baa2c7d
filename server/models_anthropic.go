package server

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/openai"
)

// anthropicCaller reports whether a request comes from Anthropic's SDKs
// (which always send anthropic-version) or under Foundry's /anthropic
// paths: such callers read Anthropic's shapes, answers and errors alike.
func anthropicCaller(c *gin.Context) bool {
	return strings.HasPrefix(c.Request.URL.Path, "/anthropic/") || c.Request.Header.Get("Anthropic-Version") != ""
}

// onModelsPath reports whether a request is for the model list or one of
// its entries, on any prefix.
func onModelsPath(c *gin.Context) bool {
	p := strings.TrimPrefix(strings.TrimPrefix(c.Request.URL.Path, "/anthropic"), "/openai")
	return p == "/v1/models" || strings.HasPrefix(p, "/v1/models/")
}

// anthropicModels answers GET /v1/models for Anthropic's SDKs: the
// deployments, paged as Anthropic pages (limit 1-1000, default 20;
// after_id, before_id).
func (s *Server) anthropicModels(c *gin.Context, deps []router.Deployment) {
	limit := 20
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			s.writeError(c, &router.Error{Code: router.EInvalid, Param: "limit",
				Message: fmt.Sprintf("limit must be an integer from 1 to 1000, got %q", v)})
			return
		}
		limit = n
	}
	all := make([]openai.AnthropicModel, len(deps))
	for i, d := range deps {
		all[i] = s.anthropicModel(d)
	}
	at := func(param, id string) (int, bool) {
		i := slices.IndexFunc(all, func(m openai.AnthropicModel) bool { return m.ID == id })
		if i < 0 {
			s.writeError(c, &router.Error{Code: router.EInvalid, Param: param, Message: fmt.Sprintf("no deployment %q", id)})
		}
		return i, i >= 0
	}
	page, more := all, false
	switch after, before := c.Query("after_id"), c.Query("before_id"); {
	case before != "":
		i, ok := at("before_id", before)
		if !ok {
			return
		}
		page = all[max(0, i-limit):i]
		more = i-limit > 0
	case after != "":
		i, ok := at("after_id", after)
		if !ok {
			return
		}
		page = all[i+1:]
		fallthrough
	default:
		more = len(page) > limit
		page = page[:min(limit, len(page))]
	}
	out := openai.AnthropicModelList{Data: page, HasMore: more}
	if len(page) > 0 {
		first, last := page[0].ID, page[len(page)-1].ID
		out.FirstID, out.LastID = &first, &last
	}
	c.JSON(http.StatusOK, out)
}

// anthropicModel is a deployment as Anthropic lists a model.
func (s *Server) anthropicModel(d router.Deployment) openai.AnthropicModel {
	m := openai.AnthropicModel{Type: "model", ID: d.Name, CreatedAt: time.Unix(0, 0).UTC().Format(time.RFC3339)}
	version := d.RouterVersion
	if s.cfg.Router != nil {
		if version == "" {
			version = s.cfg.Router.Catalog().Latest
		}
		models, _ := s.cfg.Router.Candidates(d)
		for _, x := range models {
			m.MaxInputTokens = max(m.MaxInputTokens, x.ContextWindow)
			m.MaxTokens = max(m.MaxTokens, x.MaxOutput)
		}
		m.DisplayName = fmt.Sprintf("%s (model router, %s, %d models)", d.Name, modeOf(d), len(models))
	}
	if t, err := time.Parse(time.DateOnly, version); err == nil {
		m.CreatedAt = t.UTC().Format(time.RFC3339)
	}
	if m.DisplayName == "" {
		m.DisplayName = d.Name
	}
	return m
}

// anthropicModelOf is a catalog model as Anthropic's GET /v1/models/{id}
// shows it, under the name the call gave (its id, or its catalog name).
func (s *Server) anthropicModelOf(name, id string) openai.AnthropicModel {
	out := openai.AnthropicModel{Type: "model", ID: name, DisplayName: id, CreatedAt: time.Unix(0, 0).UTC().Format(time.RFC3339)}
	for _, v := range s.cfg.Router.Catalog().Versions {
		for _, m := range v.Models {
			if m.ID == id {
				out.MaxInputTokens, out.MaxTokens = m.ContextWindow, m.MaxOutput
			}
		}
	}
	return out
}

func modeOf(d router.Deployment) router.Mode {
	if d.Mode == "" {
		return router.ModeBalanced
	}
	return d.Mode
}
