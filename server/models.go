package server

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/openai"
)

// models answers GET /v1/models: every deployment clients can address, then
// every underlying model a deployment can route to, with the deployments
// that include it and whether its provider is available.
func (s *Server) models(c *gin.Context) {
	deps, err := s.deploys.List(c.Request.Context())
	if err != nil {
		s.writeError(c, err)
		return
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
	c.JSON(http.StatusOK, list)
}

func (s *Server) modelInfo(m router.Model) openai.ModelInfo {
	info := openai.ModelInfo{ID: m.ID, Object: "model", OwnedBy: m.Provider, Kind: "model", Provider: m.Provider}
	if s.cfg.Available != nil {
		why := s.cfg.Available(m)
		ok := why == ""
		info.Available, info.Unavailable = &ok, why
	}
	return info
}
