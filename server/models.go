package server

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/openai"
)

// models answers GET /v1/models: every deployment clients can address, then
// every underlying model a deployment can route to, with the deployments
// that include it and whether its provider is available. Anthropic's SDKs
// get Anthropic's shape: the deployments, the names a Messages call takes.
func (s *Server) models(c *gin.Context) {
	list, deps, err := s.modelList(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if anthropicCaller(c) {
		s.anthropicModels(c, deps)
		return
	}
	c.JSON(http.StatusOK, list)
}

// model answers GET /v1/models/{id}: one entry of the list, a deployment or
// an underlying model (for Anthropic's SDKs, a deployment).
func (s *Server) model(c *gin.Context) {
	id := c.Param("id")
	list, deps, err := s.modelList(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	// A deployment answers to its name in any case, as a call does, and
	// is shown under the name it was created with.
	names := make([]string, len(deps))
	for i, d := range deps {
		names[i] = d.Name
	}
	switch found, err := router.MatchDeploymentName(names, id); {
	case err == nil:
		id = found
	case router.ErrorCode(err) != router.ENotFound:
		s.writeError(c, err)
		return
	}
	if anthropicCaller(c) {
		for _, d := range deps {
			if d.Name == id {
				c.JSON(http.StatusOK, s.anthropicModel(d))
				return
			}
		}
		// A Messages call may name a model a deployment lists (it pins
		// the call): the SDK's Models.Get agrees.
		if _, modelID, ok := s.deploymentServing(c.Request.Context(), id); ok {
			c.JSON(http.StatusOK, s.anthropicModelOf(id, modelID))
			return
		}
	} else {
		want := id
		if !slices.ContainsFunc(list.Data, func(m openai.ModelInfo) bool { return m.ID == id }) {
			// A model's catalog name, which a call may give as model:
			// the entry of the model it names, as the call goes to it.
			if _, modelID, ok := s.deploymentServing(c.Request.Context(), id); ok {
				want = modelID
			}
		}
		if i := slices.IndexFunc(list.Data, func(m openai.ModelInfo) bool { return m.ID == want }); i >= 0 {
			c.JSON(http.StatusOK, list.Data[i])
			return
		}
	}
	if _, err := s.deploys.Get(c.Request.Context(), id); router.ErrorCode(err) == router.EDeploymentPaused {
		// Left out of the list, but it exists: the answer says why, as
		// a call to it does, rather than that it does not exist.
		s.writeError(c, err)
		return
	}
	if _, err := s.pausedServing(c.Request.Context(), id); err != nil {
		// A model only paused deployments list: the same answer a call
		// naming it gets.
		s.writeError(c, err)
		return
	}
	s.writeError(c, &router.Error{Code: router.ENotFound, Param: "model",
		Message: fmt.Sprintf("The model %q does not exist here: GET /v1/models lists the deployments to name.", id)})
}

// modelList is the OpenAI-shaped list and the deployments it was made of.
func (s *Server) modelList(c *gin.Context) (openai.ModelList, []router.Deployment, error) {
	deps, err := s.deploys.List(c.Request.Context())
	if err != nil {
		return openai.ModelList{}, nil, err
	}
	list := openai.ModelList{Object: "list", Data: []openai.ModelInfo{}}
	var under []openai.ModelInfo
	index := map[string]int{}
	for _, d := range deps {
		info := openai.ModelInfo{
			ID: d.Name, Object: "model", OwnedBy: "modelrouter", Kind: "deployment",
			Mode: string(d.Mode), RouterVersion: d.RouterVersion, Models: []string{},
		}
		var models []router.Model
		if s.cfg.Router != nil {
			models, _ = s.cfg.Router.Candidates(d)
			if info.RouterVersion == "" {
				info.RouterVersion = s.cfg.Router.Catalog().Latest
			}
		}
		for _, m := range models {
			info.Models = append(info.Models, m.ID)
			i, seen := index[m.ID]
			if !seen {
				i = len(under)
				index[m.ID] = i
				under = append(under, s.modelInfo(m))
			}
			if !slices.Contains(under[i].Deployments, d.Name) {
				under[i].Deployments = append(under[i].Deployments, d.Name)
			}
		}
		list.Data = append(list.Data, info)
	}
	list.Data = append(list.Data, under...)
	return list, deps, nil
}

func (s *Server) modelInfo(m router.Model) openai.ModelInfo {
	info := openai.ModelInfo{ID: m.ID, Object: "model", OwnedBy: m.Provider, Kind: "model", Provider: m.Provider}
	if s.cfg.Available != nil {
		why := s.unavailable(m)
		ok := why == ""
		info.Available, info.Unavailable = &ok, why
	}
	return info
}
