package metrics

import (
	"math"
	"sort"
	"strconv"
)

// histogram counts observations into buckets by upper bound, inclusive (Prometheus's le).
type histogram struct {
	upper  []float64 // ascending
	counts []uint64  // counts[i]: in (upper[i-1], upper[i]]; the last: above every bound
	sum    float64
	n      uint64
}

func newHistogram(upper []float64) histogram {
	return histogram{upper: upper, counts: make([]uint64, len(upper)+1)}
}

func (h *histogram) observe(v float64) {
	h.counts[sort.SearchFloat64s(h.upper, v)]++ // the first bound ≥ v
	h.sum += v
	h.n++
}

// appendTo writes the histogram as a family: cumulative buckets, +Inf, _sum and _count.
func (h *histogram) appendTo(b []byte, name, help string) []byte {
	b = appendHeader(b, name, "histogram", help)
	bucket := name + "_bucket"
	var cum uint64
	for i, u := range h.upper {
		cum += h.counts[i]
		b = appendSample(b, bucket, "le", string(appendFloat(nil, u)), float64(cum))
	}
	b = appendSample(b, bucket, "le", "+Inf", float64(h.n))
	b = appendSample(b, name+"_sum", "", "", h.sum)
	return appendSample(b, name+"_count", "", "", float64(h.n))
}

// appendHeader writes a family's # HELP and # TYPE lines.
func appendHeader(b []byte, name, typ, help string) []byte {
	b = append(b, "# HELP "...)
	b = append(b, name...)
	b = append(b, ' ')
	b = append(b, help...)
	b = append(b, "\n# TYPE "...)
	b = append(b, name...)
	b = append(b, ' ')
	b = append(b, typ...)
	return append(b, '\n')
}

// appendSample writes one sample line, with one label when label is not empty. Label
// values here are the runner's own (result kinds, bucket bounds): nothing to escape.
func appendSample(b []byte, name, label, value string, v float64) []byte {
	b = append(b, name...)
	if label != "" {
		b = append(b, '{')
		b = append(b, label...)
		b = append(b, `="`...)
		b = append(b, value...)
		b = append(b, `"}`...)
	}
	b = append(b, ' ')
	b = appendFloat(b, v)
	return append(b, '\n')
}

func appendGauge(b []byte, name, help string, v float64) []byte {
	return appendSample(appendHeader(b, name, "gauge", help), name, "", "", v)
}

// appendFloat writes v as the format spells floats: shortest form, +Inf, -Inf, NaN.
func appendFloat(b []byte, v float64) []byte {
	switch {
	case math.IsInf(v, 1):
		return append(b, "+Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	case math.IsNaN(v):
		return append(b, "NaN"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}
