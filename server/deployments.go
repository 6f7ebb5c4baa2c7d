package server

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/modelrouter/modelrouter/router"
)

// DefaultDeploymentName is the deployment a fresh install serves.
const DefaultDeploymentName = "model-router"

// DefaultDeployment is `model-router`: Balanced mode over the full model set
// of routerVersion, capacity 10 (10,000 tokens per minute), as the
// reference creates it.
func DefaultDeployment(routerVersion string) router.Deployment {
	return router.Deployment{
		Name: DefaultDeploymentName, RouterVersion: routerVersion, Mode: router.ModeBalanced,
		SKUName: "GlobalStandard", Capacity: 10,
	}
}

// StaticDeployments is a fixed, in-memory deployment list.
type StaticDeployments []router.Deployment

// Get implements [Deployments.Get]: name in any case, as
// router.MatchDeploymentName matches it.
func (d StaticDeployments) Get(_ context.Context, name string) (router.Deployment, error) {
	names := make([]string, len(d))
	for i, dep := range d {
		names[i] = dep.Name
	}
	found, err := router.MatchDeploymentName(names, name)
	if router.ErrorCode(err) == router.ENotFound {
		return router.Deployment{}, router.Errorf(router.ENotFound, "The deployment %q does not exist.", name)
	}
	if err != nil {
		return router.Deployment{}, err
	}
	return d[slices.IndexFunc(d, func(dep router.Deployment) bool { return dep.Name == found })], nil
}

// List implements [Deployments.List].
func (d StaticDeployments) List(context.Context) ([]router.Deployment, error) {
	return append([]router.Deployment(nil), d...), nil
}

// resolveDeployment finds what a call's `model` names: a deployment, or a
// model one lists (byModel; see deploymentServing).
func (s *Server) resolveDeployment(ctx context.Context, name string) (dep router.Deployment, byModel bool, err error) {
	dep, err = s.deploys.Get(ctx, name)
	if err != nil && router.ErrorCode(err) == router.ENotFound {
		// GET /v1/models lists the models too, and OpenAI clients take
		// every listed id as callable: a model's id pins the call to it.
		if d, _, ok := s.deploymentServing(ctx, name); ok {
			return d, true, nil
		}
		if d, err := s.pausedServing(ctx, name); err != nil {
			return d, false, err
		}
		return dep, false, s.withLeftOutReason(ctx, err, name)
	}
	return dep, false, err
}

// withLeftOutReason adds to notFound, the refusal of a name no deployment
// or routed model has, why a deployment leaves out the model it names
// (Deployment.LeftOut: Claude with no deployment of its own) and so what
// to deploy; notFound as it is when none does.
func (s *Server) withLeftOutReason(ctx context.Context, notFound error, name string) error {
	var re *router.Error
	if s.cfg.Router == nil || !errors.As(notFound, &re) {
		return notFound
	}
	deps, err := s.deploymentsDefaultFirst(ctx)
	if err != nil {
		return notFound
	}
	for _, d := range deps {
		for _, c := range s.cfg.Router.LeftOutCandidates(d) {
			if c.Model == name || s.modelName(d, c.Model) == name {
				e := *re
				e.Message = fmt.Sprintf("%s; model %q is left out of deployment %q: %s",
					strings.TrimSuffix(re.Message, "."), name, d.Name, strings.TrimPrefix(c.Reason, "excluded: "))
				return &e
			}
		}
	}
	return notFound
}

// modelName is the catalog name of model id in d's router version ("" when
// it has none).
func (s *Server) modelName(d router.Deployment, id string) string {
	ver, _ := s.cfg.Router.Version(d.RouterVersion)
	return nameOf(ver.Models, id)
}

// deploymentsDefaultFirst lists the deployments, the default one first.
func (s *Server) deploymentsDefaultFirst(ctx context.Context) ([]router.Deployment, error) {
	deps, err := s.deploys.List(ctx)
	if err != nil {
		return nil, err
	}
	return defaultFirst(deps), nil
}

// defaultFirst moves the default deployment, if deps has it, to the front.
func defaultFirst(deps []router.Deployment) []router.Deployment {
	if i := slices.IndexFunc(deps, func(d router.Deployment) bool { return router.FoldName(d.Name) == DefaultDeploymentName }); i > 0 {
		d := deps[i]
		deps = slices.Insert(slices.Delete(deps, i, i+1), 0, d)
	}
	return deps
}

// maxPausedNamed is how many paused deployments pausedServing's refusal
// names; the rest are counted.
const maxPausedNamed = 3

// pausedServing refuses a call naming a model that no running deployment
// lists but a paused one does (when the deployments can list their paused
// ones: PausedDeployments): EDeploymentPaused, as a call through that
// deployment gets, naming the paused ones that list it, with the one it
// would go through (the default first, as deploymentServing picks). A 404
// would tell the client the model does not exist here, and send its user
// to check the name, when resuming a deployment serves it again. nil when
// none lists it.
func (s *Server) pausedServing(ctx context.Context, name string) (router.Deployment, error) {
	pd, ok := s.deploys.(PausedDeployments)
	if !ok || s.cfg.Router == nil {
		return router.Deployment{}, nil
	}
	deps, err := pd.Paused(ctx)
	if err != nil {
		return router.Deployment{}, nil // the refusal it gets is not found
	}
	var listing []string
	for _, d := range defaultFirst(deps) {
		if _, ok := s.lists(d, name); ok {
			listing = append(listing, d.Name)
		}
	}
	if len(listing) == 0 {
		return router.Deployment{}, nil
	}
	quoted := make([]string, min(len(listing), maxPausedNamed))
	for i := range quoted {
		quoted[i] = strconv.Quote(listing[i])
	}
	which := "deployment " + quoted[0]
	if len(listing) > 1 {
		which = "deployments " + strings.Join(quoted, ", ")
		if more := len(listing) - len(quoted); more > 0 {
			which += fmt.Sprintf(" and %d more", more)
		}
	}
	return router.Deployment{Name: listing[0]}, router.Errorf(router.EDeploymentPaused,
		"model %q is listed here only by paused %s, and a paused deployment takes no calls until an admin resumes it (POST %s); until then, name a model GET /v1/models lists",
		name, which, pd.ResumePath(listing[0]))
}

// deploymentServing finds the deployment a call naming a model (a
// `kind: "model"` entry of GET /v1/models, by its id or its catalog name
// such as an undated Claude alias) goes through: the default deployment
// when it lists the model, else the first that does. Its capacity and log
// then count the call, as for any call through it, and only that model may
// answer. It returns the model too.
func (s *Server) deploymentServing(ctx context.Context, name string) (router.Deployment, string, bool) {
	if s.cfg.Router == nil {
		return router.Deployment{}, "", false
	}
	deps, err := s.deploymentsDefaultFirst(ctx)
	if err != nil {
		return router.Deployment{}, "", false
	}
	for _, d := range deps {
		if id, ok := s.lists(d, name); ok {
			return d, id, true
		}
	}
	return router.Deployment{}, "", false
}

// lists reports whether deployment d lists the model called name, by its
// id or its catalog name, and returns its id; s.cfg.Router is set.
func (s *Server) lists(d router.Deployment, name string) (string, bool) {
	models, err := s.cfg.Router.Candidates(d)
	if err != nil {
		return "", false
	}
	if i := slices.IndexFunc(models, func(m router.Model) bool { return m.ID == name || m.Name == name }); i >= 0 {
		return models[i].ID, true
	}
	return "", false
}
