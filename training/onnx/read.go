package onnx

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/modelrouter/modelrouter/training/arch"
)

// Read decodes a router model written by Write back into its weights, so a
// shipped router.onnx can be checked against arch.Forward (parity tests) or
// fine-tuned. It only understands files this package wrote.
func Read(model []byte) (*arch.Weights, error) {
	graph, meta, err := readModel(model)
	if err != nil {
		return nil, err
	}
	inits, err := readInitializers(graph)
	if err != nil {
		return nil, err
	}
	get := func(name string, rank int) (rawTensor, error) {
		t, ok := inits[name]
		if !ok {
			return t, fmt.Errorf("onnx: initializer %q missing: not a modelrouter router model", name)
		}
		if len(t.dims) != rank {
			return t, fmt.Errorf("onnx: initializer %q has rank %d, want %d", name, len(t.dims), rank)
		}
		return t, nil
	}
	embName := nameEmb
	if _, ok := inits[nameEmbQ]; ok {
		embName = nameEmbQ
	}
	var ts [11]rawTensor
	for i, spec := range []struct {
		name string
		rank int
	}{{embName, 2}, {nameW1, 2}, {nameB1, 1}, {nameW2, 2}, {nameB2, 1}, {nameQW, 2}, {nameQB, 1}, {nameLW, 2}, {nameLB, 1}, {nameVocab, 0}, {nameBuckets, 0}} {
		if ts[i], err = get(spec.name, spec.rank); err != nil {
			return nil, err
		}
	}
	vocab, err := ts[9].int64s()
	if err != nil {
		return nil, err
	}
	buckets, err := ts[10].int64s()
	if err != nil {
		return nil, err
	}
	s := arch.Spec{
		Vocab: int(vocab[0]), Buckets: int(buckets[0]), Dim: int(ts[0].dims[1]),
		Hidden: int(ts[1].dims[1]), Z: int(ts[3].dims[1]), Profiles: int(ts[5].dims[1]), MaxLen: meta.maxLen, Pool: meta.pool,
	}
	w := &arch.Weights{Spec: s}
	for i, dst := range []*[]float32{&w.Emb, &w.W1, &w.B1, &w.W2, &w.B2, &w.QW, &w.QB, &w.LW, &w.LB} {
		if i == 0 && embName == nameEmbQ {
			if err := readInt8Table(w, ts[0], inits); err != nil {
				return nil, err
			}
			continue
		}
		if *dst, err = ts[i].float32s(); err != nil {
			return nil, err
		}
	}
	if zo, ok := inits[nameZOut]; ok {
		if len(zo.dims) != 2 || zo.dims[0] != int64(s.Z) {
			return nil, fmt.Errorf("onnx: initializer %q is not z x k", nameZOut)
		}
		if w.ZOut, err = zo.float32s(); err != nil {
			return nil, err
		}
	}
	if err := w.Validate(); err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	return w, nil
}

// readInt8Table sets w's int8 table and scales and Emb, their
// dequantization.
func readInt8Table(w *arch.Weights, q rawTensor, inits map[string]rawTensor) error {
	if q.dataType != dtInt8 || int64(len(q.raw)) != q.dims[0]*q.dims[1] {
		return fmt.Errorf("onnx: initializer %q is not int8 raw data of its shape", nameEmbQ)
	}
	sc, ok := inits[nameEmbScale]
	if !ok || len(sc.dims) != 1 || sc.dims[0] != q.dims[0] {
		return fmt.Errorf("onnx: initializer %q missing or not one scale per row of %q", nameEmbScale, nameEmbQ)
	}
	scale, err := sc.float32s()
	if err != nil {
		return err
	}
	w.EmbQ = make([]int8, len(q.raw))
	for i, b := range q.raw {
		w.EmbQ[i] = int8(b)
	}
	w.EmbScale = scale
	w.Emb = arch.DequantizeRows(w.EmbQ, w.EmbScale, int(q.dims[1]))
	return nil
}

type rawTensor struct {
	name     string
	dims     []int64
	dataType int64
	raw      []byte
}

func (t rawTensor) float32s() ([]float32, error) {
	if t.dataType != dtFloat || len(t.raw)%4 != 0 {
		return nil, fmt.Errorf("onnx: initializer %q is not float32 raw data", t.name)
	}
	out := make([]float32, len(t.raw)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.raw[4*i:]))
	}
	return out, nil
}

func (t rawTensor) int64s() ([]int64, error) {
	if t.dataType != dtInt64 || len(t.raw) == 0 || len(t.raw)%8 != 0 {
		return nil, fmt.Errorf("onnx: initializer %q is not int64 raw data", t.name)
	}
	out := make([]int64, len(t.raw)/8)
	for i := range out {
		out[i] = int64(binary.LittleEndian.Uint64(t.raw[8*i:]))
	}
	return out, nil
}

// fields walks the top-level fields of one message.
func fields(b []byte, visit func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("onnx: malformed protobuf: %w", protowire.ParseError(n))
		}
		b = b[n:]
		var v []byte
		var x uint64
		switch typ {
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return fmt.Errorf("onnx: malformed protobuf: %w", protowire.ParseError(n))
		}
		b = b[n:]
		if err := visit(num, typ, v, x); err != nil {
			return err
		}
	}
	return nil
}

// modelMeta is what the model's metadata says about its spec.
type modelMeta struct {
	maxLen int
	pool   string // arch.Spec.Pool; absent: mean only
}

func readModel(model []byte) (graph []byte, meta modelMeta, err error) {
	err = fields(model, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		switch {
		case num == modelGraph && typ == protowire.BytesType:
			graph = v
		case num == modelMetadataProps && typ == protowire.BytesType:
			var key, value string
			if err := fields(v, func(n protowire.Number, t protowire.Type, s []byte, _ uint64) error {
				if t == protowire.BytesType && n == entryKey {
					key = string(s)
				} else if t == protowire.BytesType && n == entryValue {
					value = string(s)
				}
				return nil
			}); err != nil {
				return err
			}
			switch key {
			case metaMaxLen:
				n, err := strconv.Atoi(value)
				if err != nil {
					return fmt.Errorf("onnx: metadata max_len %q: %w", value, err)
				}
				meta.maxLen = n
			case metaPool:
				meta.pool = value
			}
		}
		return nil
	})
	if err == nil && graph == nil {
		err = fmt.Errorf("onnx: model has no graph")
	}
	return graph, meta, err
}

func readInitializers(graph []byte) (map[string]rawTensor, error) {
	out := map[string]rawTensor{}
	err := fields(graph, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if num != graphInitializer || typ != protowire.BytesType {
			return nil
		}
		var t rawTensor
		err := fields(v, func(n protowire.Number, ft protowire.Type, s []byte, x uint64) error {
			switch {
			case n == tensorDims && ft == protowire.VarintType:
				t.dims = append(t.dims, int64(x))
			case n == tensorDims && ft == protowire.BytesType: // packed
				for len(s) > 0 {
					d, k := protowire.ConsumeVarint(s)
					if k < 0 {
						return fmt.Errorf("onnx: malformed dims")
					}
					t.dims = append(t.dims, int64(d))
					s = s[k:]
				}
			case n == tensorDataType && ft == protowire.VarintType:
				t.dataType = int64(x)
			case n == tensorName && ft == protowire.BytesType:
				t.name = string(s)
			case n == tensorRawData && ft == protowire.BytesType:
				t.raw = s
			}
			return nil
		})
		if err != nil {
			return err
		}
		out[t.name] = t
		return nil
	})
	return out, err
}
