package manage

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

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
// the deployment's state and nothing else (setState), and answers the
// deployment as a GET does.
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
		out, err = a.setState(ctx, st, c.Param("name"), state, c.Request.Header)
		return err
	})
	if err != nil {
		writeError(c, err)
		return
	}
	c.Header("ETag", out.tag)
	c.JSON(http.StatusOK, present(out.name, out.tag, out.res))
}

// setState gives deployment name the deploymentState state. Pausing is the
// admin's emergency stop for a deployment's spend, so it must work on a
// deployment an earlier build stored with settings this build's PUT
// refuses (a SKU or version no longer taken): only deploymentState and
// systemData are rewritten, every other stored member is kept as stored,
// and only the checks about the state run (a model deployment cannot be
// paused, If-Match holds). A later PUT of it is checked in full. The
// built-in model-router, not stored, is stored as it is served, through
// putChecked. A deployment already in that state is answered as it is,
// unwritten: its ETag and systemData stay, as a retried action changes
// nothing.
func (a *API) setState(ctx context.Context, st Store, name, state string, h http.Header) (written, error) {
	sd, cur, err := loadStored(ctx, st, name)
	builtIn := router.ErrorCode(err) == router.ENotFound && isDefaultName(name)
	switch {
	case err == nil:
	case builtIn:
		sd.Name, cur = DefaultDeployment, builtInResource(a.catalog.cat.Latest)
	default:
		return written{}, err
	}
	tag := etagOf(sd.Resource)
	if builtIn {
		tag = a.builtInETag()
	}
	if cur.Paused() == (state == DeploymentPaused) {
		if err := checkPreconditions(h, sd.Name, tag); err != nil {
			return written{}, err
		}
		return written{name: sd.Name, res: cur, tag: tag}, nil
	}
	cur.Properties.DeploymentState = state
	if builtIn {
		return a.putChecked(ctx, st, sd.Name, cur, h)
	}
	if _, err := normalizeDeploymentState(cur); err != nil {
		return written{}, err
	}
	if err := checkPreconditions(h, sd.Name, tag); err != nil {
		return written{}, err
	}
	raw, err := withState(sd.Resource, state, a.now().UTC())
	if err != nil {
		return written{}, fmt.Errorf("stored deployment %q: %w", sd.Name, err)
	}
	res, err := decodeResource(raw)
	if err != nil {
		return written{}, fmt.Errorf("stored deployment %q: %w", sd.Name, err)
	}
	a.checked()
	if _, err := st.PutDeployment(ctx, sd.Name, raw); err != nil {
		return written{}, err
	}
	return written{name: sd.Name, res: res, tag: etagOf(raw)}, nil
}

// withState is the stored deployment raw with properties.deploymentState
// set to state and systemData's lastModifiedAt to now (createdAt kept, now
// where it has none, as a PUT sets it): every other member, including any
// this build does not know, is kept as stored. Members are matched in any
// case, as decodeResource reads them.
func withState(raw json.RawMessage, state string, now time.Time) (json.RawMessage, error) {
	var top, props map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, err
	}
	if p := member(top, "properties"); p != nil {
		if err := json.Unmarshal(p, &props); err != nil {
			return nil, err
		}
	}
	if props == nil {
		props = map[string]json.RawMessage{}
	}
	var sys struct {
		CreatedAt *time.Time `json:"createdAt"`
	}
	if s := member(top, "systemData"); s != nil {
		if err := json.Unmarshal(s, &sys); err != nil {
			return nil, err
		}
	}
	created := now
	if sys.CreatedAt != nil {
		created = *sys.CreatedAt
	}
	st, err := json.Marshal(state)
	if err != nil {
		return nil, err
	}
	setMember(props, "deploymentState", st)
	sd, err := json.Marshal(SystemData{CreatedAt: created, LastModifiedAt: now})
	if err != nil {
		return nil, err
	}
	setMember(top, "systemData", sd)
	p, err := json.Marshal(props)
	if err != nil {
		return nil, err
	}
	setMember(top, "properties", p)
	return json.Marshal(top)
}

// member is m's member key, matched in any case; nil when there is none.
func member(m map[string]json.RawMessage, key string) json.RawMessage {
	if v, ok := m[key]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

// setMember sets m's member key to v, replacing it in whatever case it
// was stored, so that no other spelling of it is read in its place.
func setMember(m map[string]json.RawMessage, key string, v json.RawMessage) {
	for k := range m {
		if strings.EqualFold(k, key) {
			delete(m, k)
		}
	}
	m[key] = v
}
