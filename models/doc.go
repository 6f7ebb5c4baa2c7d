// Package models holds what modelrouter ships inside its binary: the model
// catalog (which LLMs each router version routes over, with prices, context
// windows, capabilities and the router-model profile that predicts each) and
// the trained router model's artifacts. No routing policy lives here.
package models
