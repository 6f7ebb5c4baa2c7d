package manage

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/router"
)

// actionStates are Azure's deployment actions (Deployments_Pause and
// Deployments_Resume, POST .../deployments/{name}/pause and /resume, in the
// 2026 preview API versions), each the deploymentState it sets. Azure
// answers either with 200 and the deployment, and both are idempotent.
var actionStates = map[string]string{"pause": DeploymentPaused, "resume": DeploymentRunning}

// action serves POST .../deployments/:name/:action on AzurePath: pause or
// resume (in any case, as Azure Resource Manager matches its paths) sets
// the deployment's state as a PUT of it with that deploymentState would,
// with a PUT's checks, and answers the deployment as a GET does.
func (a *API) action(c *gin.Context) {
	state, ok := actionStates[router.FoldName(c.Param("action"))]
	if !ok {
		// Reason set, so that writeError does not call it an unknown
		// deployment.
		writeError(c, &router.Error{Code: router.ENotFound, Reason: router.ENotFound,
			Message: "no route for POST " + c.Request.URL.Path + ": a deployment's actions are pause and resume"})
		return
	}
	ctx := c.Request.Context()
	a.writes.Lock()
	defer a.writes.Unlock()
	var out written
	err := inWriteTransaction(ctx, a.store, func(st Store) (err error) {
		out, err = a.setStateChecked(ctx, st, c.Param("name"), state, c.Request.Header)
		return err
	})
	if err != nil {
		writeError(c, err)
		return
	}
	c.Header("ETag", out.tag)
	c.JSON(http.StatusOK, present(out.name, out.tag, out.res))
}

// setStateChecked gives deployment name the deploymentState state through
// putChecked, so that the action is checked as that PUT would be (a model
// deployment cannot be paused, If-Match holds); the built-in model-router
// is stored as it is served. A deployment already in that state is
// answered as it is, unwritten: its ETag and systemData stay, as a retried
// action changes nothing.
func (a *API) setStateChecked(ctx context.Context, st Store, name, state string, h http.Header) (written, error) {
	stored, cur, tag, err := load(ctx, st, name)
	switch {
	case err == nil:
	case router.ErrorCode(err) == router.ENotFound && isDefaultName(name):
		stored, cur, tag = DefaultDeployment, builtInResource(a.catalog.cat.Latest), a.builtInETag()
	default:
		return written{}, err
	}
	if cur.Paused() == (state == DeploymentPaused) {
		if err := checkPreconditions(h, stored, tag); err != nil {
			return written{}, err
		}
		return written{name: stored, res: cur, tag: tag}, nil
	}
	cur.Properties.DeploymentState = state
	return a.putChecked(ctx, st, stored, cur, h)
}
