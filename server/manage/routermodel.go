package manage

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// RouterModel is the serving router model as the management API shows and
// reloads it; serve implements it. With none configured the endpoints are
// not mounted.
type RouterModel interface {
	Current() RouterModelInfo
	// Reload loads the router model again from where it came from (a new
	// training run or an added profile written there) and switches every
	// later decision to it; on an error the serving model is unchanged.
	Reload(ctx context.Context) (RouterModelInfo, error)
}

// RouterModelInfo describes the router model in service.
type RouterModelInfo struct {
	// Version is the name decisions are logged with (version+hash).
	Version     string `json:"version"`
	ContentHash string `json:"content_hash"`
	// Dir is the --router-model folder; empty for the embedded model,
	// which cannot be reloaded.
	Dir      string `json:"dir,omitempty"`
	Profiles int    `json:"profiles"`
	// Device is where the model runs: "cpu", or "cuda" when --cuda found
	// ONNX Runtime's CUDA provider (else it fell back to "cpu").
	Device string `json:"device,omitempty"`
	// OwnProfiles are the catalog models it predicts with a profile of
	// their own instead of their stand-in.
	OwnProfiles []string  `json:"own_profiles"`
	LoadedAt    time.Time `json:"loaded_at"`
	// Replaced is, after a reload, the version it replaced.
	Replaced string `json:"replaced,omitempty"`
}

// registerRouterModel adds GET /router-model and POST /router-model/reload.
func (a *API) registerRouterModel(r gin.IRouter) {
	if a.routerModel == nil {
		return
	}
	g := r.Group("/router-model", a.authorize)
	g.GET("", func(c *gin.Context) { c.JSON(http.StatusOK, a.routerModel.Current()) })
	g.POST("/reload", func(c *gin.Context) {
		info, err := a.routerModel.Reload(c.Request.Context())
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, info)
	})
}
