package manage

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/authlimit"
	"github.com/modelrouter/modelrouter/server/internal/apikey"
	"github.com/modelrouter/modelrouter/server/internal/bodyread"
	"github.com/modelrouter/modelrouter/server/refusedlog"
	"github.com/modelrouter/modelrouter/store"
)

// EnvAdminKey is the environment variable that holds the admin key when the
// configuration gives none; serve reads it (New does not), and the
// messages name it.
const EnvAdminKey = "MODELROUTER_ADMIN_KEY"

// MountPath is the older prefix `modelrouter serve` also mounts the API
// under: the endpoints are /deployments[/{name}] (the reference's paths,
// Register on the engine) and /management/deployments[/{name}] (Register on
// a group at this path).
const MountPath = "/management"

// AzurePath is the Azure Resource Manager prefix of a Foundry account, under
// which the reference's REST examples PUT, GET and DELETE a deployment
// (https://management.azure.com/subscriptions/.../deployments/{name}?
// api-version=...). RegisterAzure serves the deployments there too, so such
// a call (az, Terraform, the reference's curl) works with only its host
// changed; the subscription, group and account are not checked, as one
// gateway is one account, and api-version is ignored.
const AzurePath = "/subscriptions/:subscription/resourceGroups/:resourceGroup/providers/Microsoft.CognitiveServices/accounts/:account"

// maxBody bounds a deployment body.
const maxBody = 1 << 20

// API serves the management endpoints.
type API struct {
	store   Store
	catalog catalogIndex
	key     string
	now     func() time.Time
	// bodyTimeout bounds a body's silence while it is read, minBodyRate
	// its average rate after a grace period.
	bodyTimeout time.Duration
	minBodyRate int64
	// routerModel, when set, is shown and reloaded at /router-model.
	routerModel RouterModel
	authLimit   *authlimit.Limiter
	refusedLog  *refusedlog.Log
	// writes serializes PUT and DELETE, whose checks read other deployments
	// (a router's Claude models must stay deployed), in this process; a
	// store's write transaction (inWriteTransaction) also keeps other
	// processes on its database out.
	writes sync.Mutex
	// afterChecks, set by tests, runs between a write's checks and the
	// write.
	afterChecks func()
}

// Config configures the API.
type Config struct {
	Store   Store
	Catalog router.Catalog
	// AdminKey authorizes management calls; empty, the API answers 403.
	// The caller reads it (serve: from MODELROUTER_ADMIN_KEY, its _FILE
	// or the config file), so that the reports, which take the same key,
	// and this API never disagree on it; the API reads no environment.
	AdminKey string
	// RouterModel, when set, adds GET /router-model and POST
	// /router-model/reload.
	RouterModel RouterModel
	// AuthLimit, optional, counts wrong admin keys per client address and
	// answers an address that sent too many 429 for a while.
	AuthLimit *authlimit.Limiter
	// RefusedLog, optional, counts the calls refused for their key (or
	// their address's wrong keys) in the refused-requests metric and
	// notes them in the server log, as the gateway's routes do theirs.
	RefusedLog *refusedlog.Log
	// BodyTimeout bounds the silence while a body is read, before its
	// first bytes and between two reads, as on the gateway's API routes
	// (serve's --body-timeout; default one minute): a body that pauses
	// longer is answered 408 and its connection closed, rather than
	// holding the connection and a handler for ever.
	BodyTimeout time.Duration
	// MinBodyRate is the least average rate, in bytes a second, of a body
	// once its read has gone on for a grace period, as on the gateway's
	// API routes (serve's --min-body-rate; 0: no minimum).
	MinBodyRate int64
	Now         func() time.Time
}

// New builds the API.
func New(cfg Config) *API {
	key := TrimAdminKey(cfg.AdminKey)
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	bodyTimeout := cfg.BodyTimeout
	if bodyTimeout <= 0 {
		bodyTimeout = bodyread.DefaultTimeout
	}
	return &API{store: cfg.Store, catalog: catalogIndex{cfg.Catalog}, key: key, now: now, routerModel: cfg.RouterModel,
		bodyTimeout: bodyTimeout, minBodyRate: cfg.MinBodyRate, authLimit: cfg.AuthLimit, refusedLog: cfg.RefusedLog}
}

// Register adds the endpoints to r: GET /deployments, and PUT, GET and
// DELETE /deployments/:name; with a RouterModel, GET /router-model and
// POST /router-model/reload.
func (a *API) Register(r gin.IRouter) {
	a.registerDeployments(r)
	a.registerRouterModel(r)
}

// RegisterAzure adds the deployments endpoints under AzurePath, where the
// reference's management calls go, with Azure's pause and resume actions
// (POST /deployments/:name/pause, /resume); the router-model endpoints,
// which Azure has none of, stay at Register's paths.
func (a *API) RegisterAzure(r gin.IRouter) {
	g := a.registerDeployments(r.Group(AzurePath))
	g.POST("/:name/:action", a.action)
}

// registerDeployments adds the deployments endpoints to r and returns
// their group, admin-only.
func (a *API) registerDeployments(r gin.IRouter) gin.IRouter {
	g := r.Group("/deployments", a.authorize)
	g.GET("", a.list)
	g.GET("/:name", a.get)
	g.PUT("/:name", a.put)
	g.DELETE("/:name", a.delete)
	return g
}

// TrimAdminKey is the admin key as it is compared: without surrounding
// whitespace, such as the trailing newline of a key read from a file, which
// no header can carry (header values are trimmed).
func TrimAdminKey(key string) string { return strings.TrimSpace(key) }

// IsAdmin reports whether h carries key, as "Authorization: Bearer <key>"
// or "api-key: <key>" (surrounding whitespace ignored). An empty key
// admits no one. The management API and the reports share this check.
func IsAdmin(h http.Header, key string) bool {
	got := h.Get("api-key")
	if bearer, ok := apikey.Bearer(h); ok {
		got = bearer
	}
	return IsAdminKey(got, key)
}

// IsAdminKey reports whether got is the admin key key, surrounding
// whitespace ignored on either side; an empty key admits no one. It is the
// one place the admin key is compared, by apikey.Same's digests, so no
// reply's timing tells the key's length.
func IsAdminKey(got, key string) bool { return apikey.Same(got, TrimAdminKey(key)) }

// OffWithoutAdminKey says that what (the management API, the reports),
// which take the admin key, is off because none is configured, and every
// way serve reads one: each place the key is read from is named once here.
func OffWithoutAdminKey(what string) string {
	return what + " is off because no admin key is configured. Set " + EnvAdminKey +
		" (or " + EnvAdminKey + "_FILE naming a file that holds it, or admin_key in the config file), restart the server, and send the key as 'Authorization: Bearer <key>' or 'api-key: <key>'."
}

// authorize admits only the admin key, as "Authorization: Bearer <key>" or
// "api-key: <key>", from an address not limited for wrong admin keys.
func (a *API) authorize(c *gin.Context) {
	if a.key == "" {
		writeError(c, &router.Error{Code: router.EForbidden, Reason: CodeDisabled,
			Message: OffWithoutAdminKey("The management API")})
		return
	}
	// Before the key is compared: a limited address learns nothing from
	// its guesses.
	if err := a.authLimit.Check(c.Request); err != nil {
		a.refusedLog.Request(c.Request, authlimit.Reason, c.FullPath())
		writeError(c, err)
		return
	}
	if !IsAdmin(c.Request.Header, a.key) {
		a.authLimit.Failed(c.Request)
		a.refusedLog.Request(c.Request, authlimit.WrongKeyReason, c.FullPath())
		writeError(c, &router.Error{Code: router.EUnauthorized, Reason: CodeBadKey,
			Message: "The management API needs the admin key (" + EnvAdminKey + ") as 'Authorization: Bearer <key>' or 'api-key: <key>'."})
		return
	}
	c.Next()
}

// listBody is GET /deployments' answer, shaped as Azure's list.
type listBody struct {
	Value []Resource `json:"value"`
}

func (a *API) list(c *gin.Context) {
	all, err := loadAll(c.Request.Context(), a.store)
	if err != nil {
		writeError(c, err)
		return
	}
	out := listBody{Value: []Resource{}}
	for _, nr := range all {
		out.Value = append(out.Value, present(nr.name, nr.tag, nr.res))
	}
	if !slices.ContainsFunc(all, func(nr namedResource) bool { return isDefaultName(nr.name) }) {
		out.Value = append(out.Value, a.builtIn())
		slices.SortFunc(out.Value, func(x, y Resource) int { return strings.Compare(x.Name, y.Name) })
	}
	c.JSON(http.StatusOK, out)
}

func (a *API) get(c *gin.Context) {
	name, r, tag, err := load(c.Request.Context(), a.store, c.Param("name"))
	out := present(name, tag, r)
	if err != nil {
		if !isDefaultName(name) || router.ErrorCode(err) != router.ENotFound {
			writeError(c, err)
			return
		}
		out = a.builtIn()
		tag = out.Etag
	}
	same, err := notModified(c.Request.Header, out.Name, tag)
	if err != nil {
		writeError(c, err)
		return
	}
	c.Header("ETag", tag)
	if same {
		// The client's copy is current: RFC 9110 sends the ETag a 200
		// would have carried, and no body.
		c.Status(http.StatusNotModified)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (a *API) put(c *gin.Context) {
	name := c.Param("name")
	// Read as the gateway's routes read theirs (bodyread.Read): a
	// Content-Length over the limit is refused unread, so a client that
	// sent Expect: 100-continue (curl does above 1 MiB) gets the 413
	// instead of 100 Continue and never sends the body, and a body
	// refused for its size has its connection closed after the answer.
	body, err := bodyread.Read(c.Writer, c.Request, bodyread.Limit{Max: maxBody, Timeout: a.bodyTimeout, MinRate: a.minBodyRate})
	switch {
	case errors.Is(err, bodyread.ErrTooLarge):
		writeError(c, &router.Error{Code: router.ETooLarge, Reason: CodeBodyTooLarge,
			Message: fmt.Sprintf("the request body is larger than the limit of %d bytes", maxBody)})
		return
	case bodyread.Stalled(err):
		writeError(c, bodyread.StalledError(err))
		return
	case err != nil:
		writeError(c, badRequest(CodeInvalidBody, "", fmt.Sprintf("could not read the request body: %v", err)))
		return
	}
	in, err := decodePut(body)
	if err != nil {
		writeError(c, err)
		return
	}
	ctx := c.Request.Context()
	a.writes.Lock()
	defer a.writes.Unlock()
	var out written
	err = inWriteTransaction(ctx, a.store, func(st Store) (err error) {
		out, err = a.putChecked(ctx, st, name, in, c.Request.Header)
		return err
	})
	if err != nil {
		writeError(c, err)
		return
	}
	status := http.StatusOK
	if out.created {
		status = http.StatusCreated
	}
	c.Header("ETag", out.tag)
	c.JSON(status, present(out.name, out.tag, out.res))
}

func (a *API) delete(c *gin.Context) {
	ctx := c.Request.Context()
	a.writes.Lock()
	defer a.writes.Unlock()
	var deleted bool
	err := inWriteTransaction(ctx, a.store, func(st Store) (err error) {
		deleted, err = a.deleteChecked(ctx, st, c.Param("name"), c.Request.Header)
		return err
	})
	switch {
	case err != nil:
		writeError(c, err)
	case deleted:
		// 200 with no body, as Azure's Deployments - Delete answers "OK
		// -- Delete the deployment successfully" (no schema): unlike the
		// 204 of a deployment that was not there, it tells the client a
		// delete was made.
		c.Status(http.StatusOK)
	default:
		// As Azure's management API answers one that does not exist
		// (Deployments - Delete: "204 No Content -- The deployment does
		// not exist"): a delete is idempotent, and clients such as az and
		// Terraform that retry one, or delete what may already be gone,
		// count on it, while the 204 rather than a delete's 200 tells one
		// that cares (the CLI) that nothing was deleted.
		c.Status(http.StatusNoContent)
	}
}

// checkUnused refuses to remove (next == nil) or replace a model deployment
// that router deployments still route to: a router that lists the model
// must keep a deployment of it with the router's SKU, another deployment
// or next (when it deploys the same model).
func checkUnused(ctx context.Context, st Store, name string, prev Resource, next *Resource) error {
	if prev.IsRouter() {
		return nil
	}
	model := prev.Properties.Model
	if next != nil && !next.IsRouter() && sameRef(next.Properties.Model, model) && equalFold(skuName(*next), skuName(prev)) {
		return nil
	}
	all, err := loadAll(ctx, st)
	if err != nil {
		return err
	}
	// The SKUs the model is deployed with once this change is made.
	var skus []string
	for _, nr := range all {
		if nr.name != name && !nr.res.IsRouter() && sameRef(nr.res.Properties.Model, model) {
			skus = append(skus, skuName(nr.res))
		}
	}
	if next != nil && !next.IsRouter() && sameRef(next.Properties.Model, model) {
		skus = append(skus, skuName(*next))
	}
	var users []string
	for _, nr := range all {
		if nr.name == name || !nr.res.IsRouter() || nr.res.Properties.Routing == nil || nr.res.Properties.Routing.Models == nil {
			continue
		}
		if !slices.ContainsFunc(*nr.res.Properties.Routing.Models, func(ref router.Ref) bool { return sameRef(ref, model) }) {
			continue
		}
		sku := skuName(nr.res)
		if !slices.ContainsFunc(skus, func(s string) bool { return equalFold(s, sku) }) {
			users = append(users, nr.name)
		}
	}
	if len(users) == 0 {
		return nil
	}
	return &router.Error{Code: router.EConflict, Reason: CodeInUse,
		Message: fmt.Sprintf("deployment %q (%s) is routed to by %s, and no other deployment of %s has their sku; remove it from their routing.models first",
			name, model.Name, strings.Join(users, ", "), model.Name)}
}

// sameRef reports whether a and b name the same model: format and name in
// any case, version exactly.
func sameRef(a, b router.Ref) bool {
	return equalFold(a.Format, b.Format) && equalFold(a.Name, b.Name) && strings.TrimSpace(a.Version) == strings.TrimSpace(b.Version)
}

// load reads deployment name from st, found in any case, and returns it
// with the name it is stored under (name itself when there is none or err)
// and its ETag.
func load(ctx context.Context, st Store, name string) (string, Resource, string, error) {
	stored, r, err := loadStored(ctx, st, name)
	if err != nil {
		return name, Resource{}, "", err
	}
	return stored.Name, r, etagOf(stored.Resource), nil
}

// loadStored is load's stored row, as written, with the resource it
// decodes to.
func loadStored(ctx context.Context, st Store, name string) (store.StoredDeployment, Resource, error) {
	stored, err := st.GetDeployment(ctx, name)
	if err != nil {
		if router.ErrorCode(err) == router.ENotFound {
			return store.StoredDeployment{}, Resource{}, router.Errorf(router.ENotFound, "deployment %q not found", name)
		}
		return store.StoredDeployment{}, Resource{}, err
	}
	r, err := decodeResource(stored.Resource)
	if err != nil {
		return store.StoredDeployment{}, Resource{}, fmt.Errorf("stored deployment %q: %w", stored.Name, err)
	}
	return stored, r, nil
}

// isDefaultName reports whether name, in any case, is DefaultDeployment.
func isDefaultName(name string) bool { return router.FoldName(name) == DefaultDeployment }

// builtIn is the default deployment every server has until one named
// DefaultDeployment is stored: Balanced over the latest version's full set,
// with its tag.
func (a *API) builtIn() Resource {
	r := builtInResource(a.catalog.cat.Latest)
	r.Etag = a.builtInETag()
	return r
}

func builtInResource(latest string) Resource {
	r := Resource{
		SKU: &SKU{Name: DefaultSKU, Capacity: DefaultCapacity},
		Properties: Properties{
			Model:   router.Ref{Format: RouterFormat, Name: RouterName, Version: latest},
			Routing: &Routing{Mode: string(router.ModeBalanced)},
		},
	}
	return present(DefaultDeployment, "", r)
}

// present fills the output-only fields; tag is the deployment's ETag.
func present(name, tag string, r Resource) Resource {
	r.Name = name
	r.Etag = tag
	r.Type = resourceType
	r.Properties.ProvisioningState = "Succeeded"
	return r
}
