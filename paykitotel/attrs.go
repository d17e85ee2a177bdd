package paykitotel

import (
	"sync"

	"go.opentelemetry.io/otel/metric"

	"github.com/paykit-go/paykit"
)

// maxCachedSets bounds attrCache: handlers report four providers and four
// outcomes, but Observe is public and a caller may pass anything.
const maxCachedSets = 64

// measureOpts are the metric options of one provider and outcome.
type measureOpts struct {
	byOutcome  metric.MeasurementOption // provider and outcome
	byProvider metric.MeasurementOption // provider
}

type setKey struct {
	provider paykit.Provider
	outcome  paykit.Outcome
}

// attrCache keeps the attribute sets of the metrics, built once per
// provider and outcome: building a set sorts and copies its attributes,
// which would otherwise be most of what counting a delivery costs.
type attrCache struct {
	mu sync.RWMutex
	m  map[setKey]measureOpts
}

func (c *attrCache) get(p paykit.Provider, o paykit.Outcome) measureOpts {
	k := setKey{p, o}
	c.mu.RLock()
	opts, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return opts
	}
	provider := AttrProvider.String(string(p))
	opts = measureOpts{
		byOutcome:  metric.WithAttributes(provider, AttrOutcome.String(string(o))),
		byProvider: metric.WithAttributes(provider),
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[setKey]measureOpts)
	}
	if len(c.m) < maxCachedSets {
		c.m[k] = opts
	}
	return opts
}
