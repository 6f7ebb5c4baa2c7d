package manage

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/modelrouter/modelrouter/router"
)

// Source gives the gateway the deployment a request names. It reads the
// store on every call, so a management change applies to the next request.
type Source struct {
	store   Store
	catalog catalogIndex
}

// NewSource returns a Source over st and the catalog.
func NewSource(st Store, cat router.Catalog) *Source {
	return &Source{store: st, catalog: catalogIndex{cat}}
}

// Get returns the router deployment called name: a stored one, or the
// built-in DefaultDeployment (Balanced, latest version, capacity 10) when
// none is stored under that name. Returns router.ENotFound for an unknown
// name or a name that deploys an underlying model (those are reached through
// a router, not called directly).
func (s *Source) Get(ctx context.Context, name string) (router.Deployment, error) {
	raw, err := s.store.GetDeployment(ctx, name)
	if err != nil {
		if router.ErrorCode(err) != router.ENotFound {
			return router.Deployment{}, err
		}
		if name != DefaultDeployment {
			return router.Deployment{}, router.Errorf(router.ENotFound, "deployment %q not found", name)
		}
		return s.toDeployment(ctx, name, builtInResource(s.catalog.cat.Latest), nil)
	}
	r, err := decodeResource(raw)
	if err != nil {
		return router.Deployment{}, fmt.Errorf("stored deployment %q: %w", name, err)
	}
	if !r.IsRouter() {
		return router.Deployment{}, router.Errorf(router.ENotFound,
			"deployment %q deploys %s for model router to use; call a model-router deployment instead", name, r.Properties.Model.Name)
	}
	return s.toDeployment(ctx, name, r, nil)
}

// List returns every router deployment by name, the built-in default
// included unless a stored one replaces it.
func (s *Source) List(ctx context.Context) ([]router.Deployment, error) {
	deployed, all, err := s.catalog.modelDeployments(ctx, s.store)
	if err != nil {
		return nil, err
	}
	var out []router.Deployment
	hasDefault := false
	for _, nr := range all {
		if !nr.res.IsRouter() {
			continue
		}
		hasDefault = hasDefault || nr.name == DefaultDeployment
		d, err := s.toDeployment(ctx, nr.name, nr.res, deployed)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	if !hasDefault {
		d, err := s.toDeployment(ctx, DefaultDeployment, builtInResource(s.catalog.cat.Latest), deployed)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
		slices.SortFunc(out, func(a, b router.Deployment) int { return strings.Compare(a.Name, b.Name) })
	}
	return out, nil
}

// toDeployment turns a stored router resource into the router's view. Models
// that need a deployment (Claude) and have none are left out of the full set
// (deployed is loaded when nil and needed).
func (s *Source) toDeployment(ctx context.Context, name string, r Resource, deployed map[string]modelDeployment) (router.Deployment, error) {
	p := r.Properties
	d := router.Deployment{Name: name, RouterVersion: p.Model.Version, Mode: router.ModeBalanced, SKUName: skuName(r), Capacity: DefaultCapacity}
	if r.SKU != nil && r.SKU.Capacity > 0 {
		d.Capacity = r.SKU.Capacity
	}
	ver, ok := s.catalog.version(p.Model.Version)
	if !ok {
		return router.Deployment{}, router.Errorf(router.EInvalid,
			"deployment %q uses model-router version %q, which this build does not have; valid versions: %s", name, p.Model.Version, s.catalog.versionNames())
	}
	candidates := ver.Models
	if p.Routing != nil {
		if m, err := router.ParseMode(p.Routing.Mode); err == nil && m != "" {
			d.Mode = m
		}
		if p.Routing.Models != nil {
			candidates = nil
			for _, ref := range *p.Routing.Models {
				// A model dropped from the catalog since is skipped; one
				// added since is not in the subset: subsets are explicit.
				if m, ok := find(ver.Models, ref); ok {
					candidates = append(candidates, m)
				}
			}
		}
	}
	needs := slices.ContainsFunc(candidates, func(m router.Model) bool { return m.RequiresDeployment })
	if needs && deployed == nil {
		var err error
		if deployed, _, err = s.catalog.modelDeployments(ctx, s.store); err != nil {
			return router.Deployment{}, err
		}
	}
	for _, m := range candidates {
		if _, ok := deployed[m.ID]; !m.RequiresDeployment || ok {
			d.Models = append(d.Models, m.ID)
		}
	}
	if len(d.Models) == 0 {
		return router.Deployment{}, router.Errorf(router.ENoEligible, "deployment %q has no model left to route to", name)
	}
	return d, nil
}
