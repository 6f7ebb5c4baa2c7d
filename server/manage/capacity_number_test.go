package manage_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func routerWithCapacity(capacity string) string {
	return `{"sku": {"name": "GlobalStandard", "capacity": ` + capacity + `},
	  "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "2025-11-18"}}}`
}

// Every number outside 1..1,000,000, or not whole, is the documented 400
// InvalidSku on sku.capacity, however large or however JSON spells it,
// rather than a complaint about the body's JSON.
func TestACapacityOutOfRangeIsInvalidSkuWhateverItsSize(t *testing.T) {
	put, _ := liveAPI(t)
	for _, capacity := range []string{"99999999999999999999", "-99999999999999999999", "1e7", "1e400", "2.5", "0.0"} {
		status, body := put("cap", routerWithCapacity(capacity))
		require.Equal(t, http.StatusBadRequest, status, "capacity %s: %s", capacity, body)
		var got apiErr
		require.NoError(t, json.Unmarshal([]byte(body), &got), body)
		assert.Equal(t, "InvalidSku", got.Error.Code, "capacity %s: %s", capacity, got.Error.Message)
		if assert.NotNil(t, got.Error.Param, "capacity %s", capacity) {
			assert.Equal(t, "sku.capacity", *got.Error.Param)
		}
		assert.Contains(t, got.Error.Message, capacity)
	}
}

// A whole capacity in range is taken however JSON spells it: 1e6 and
// 1000.0 are what float-typed JSON writers (Python's json.dumps of a float)
// send.
func TestAWholeCapacityIsTakenInAnyJSONSpelling(t *testing.T) {
	put, _ := liveAPI(t)
	for capacity, want := range map[string]int{"1e6": 1_000_000, "1000.0": 1000, "2.5e1": 25} {
		status, body := put("cap", routerWithCapacity(capacity))
		require.Contains(t, []int{http.StatusCreated, http.StatusOK}, status, "capacity %s: %s", capacity, body)
		var got struct {
			SKU struct {
				Capacity int `json:"capacity"`
			} `json:"sku"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &got), body)
		assert.Equal(t, want, got.SKU.Capacity, "capacity %s", capacity)
	}
	status, body := put("cap", routerWithCapacity(`"10"`))
	assert.Equal(t, http.StatusBadRequest, status, body)
	assert.Contains(t, body, "InvalidRequestContent", "a string is not a capacity")
}
