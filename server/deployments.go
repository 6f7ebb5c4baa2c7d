package server

import (
	"context"

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

// Get implements [Deployments.Get].
func (d StaticDeployments) Get(_ context.Context, name string) (router.Deployment, error) {
	for _, dep := range d {
		if dep.Name == name {
			return dep, nil
		}
	}
	return router.Deployment{}, router.Errorf(router.ENotFound, "The deployment %q does not exist.", name)
}

// List implements [Deployments.List].
func (d StaticDeployments) List(context.Context) ([]router.Deployment, error) {
	return append([]router.Deployment(nil), d...), nil
}
