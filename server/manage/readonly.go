package manage

// readOnlyMembers are the members that Azure's deployments carry only in
// its answers, by their path in the body, folded (router.FoldName, as
// encoding/json matches a member's name in any case): readOnly in the
// Microsoft.CognitiveServices REST specification (2025-10-01-preview:
// Deployment.systemData, DeploymentProperties' provisioningState,
// rateLimits, callRateLimit, capabilities and dynamicThrottlingEnabled,
// DeploymentModel's callRateLimit), and currentCapacity, which its GET
// returns beside the sku.capacity a PUT sets; and resourceGroup, which
// the az CLI adds to every resource it prints, though no ARM body has it.
// A client that GETs a deployment from Azure, changes it and PUTs it back
// sends them; the gateway has none of them to set, so readAzureBody drops
// them before the body is read strictly. id, type, etag, name and provisioningState are
// Resource's own (accepted and ignored there). A member a client can set,
// misspelt or not, is still refused.
var readOnlyMembers = []string{
	"systemdata", "resourcegroup",
	"properties.provisioningstate", "properties.ratelimits", "properties.callratelimit",
	"properties.capabilities", "properties.dynamicthrottlingenabled", "properties.currentcapacity",
	"properties.model.callratelimit",
}
