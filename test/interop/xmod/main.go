// Command xmod is Tamga's interoperability peer: it answers JSON requests on stdin with
// golang.org/x/mod/sumdb/{note,tlog}, an implementation we did not write, so that tests can
// check notes, tree hashes, proofs and tiles in both directions, read the c2sp.org/tlog-proof
// files Tamga writes, and benchmarks can run the same work side by side.
//
// Build in GOPATH mode against Debian's golang-golang-x-mod-dev:
//
//	GOPATH=/usr/share/gocode GO111MODULE=off go build -o xmod .
package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type request struct {
	Op string `json:"op"`

	// generate
	Name string `json:"name,omitempty"`
	// sign, verify
	Skeys []string `json:"skeys,omitempty"`
	Vkeys []string `json:"vkeys,omitempty"`
	Text  string   `json:"text,omitempty"`
	Note  string   `json:"note,omitempty"`
	// tree, tiles
	Leaves      [][]byte   `json:"leaves,omitempty"`
	Inclusion   [][2]int64 `json:"inclusion,omitempty"`
	Consistency [][2]int64 `json:"consistency,omitempty"`
	Size        int64      `json:"size,omitempty"`
	OldSize     int64      `json:"oldSize,omitempty"`
	// check: verify proofs produced by Tamga
	Proofs []proofCheck `json:"proofs,omitempty"`
	// tileproofs: a tree head and the tiles Tamga wrote for it, under x/mod paths
	Root  []byte     `json:"root,omitempty"`
	Tiles []tileData `json:"tiles,omitempty"`
	// tlogproof: c2sp.org/tlog-proof@v1 files written by Tamga, checked under Vkeys[0] (the
	// log's key) for a checkpoint of Origin
	Files  []string `json:"files,omitempty"`
	Origin string   `json:"origin,omitempty"`
	// bench
	BenchLeaves    int64 `json:"benchLeaves,omitempty"`
	BenchInclusion int   `json:"benchInclusion,omitempty"`
	BenchNotes     int   `json:"benchNotes,omitempty"`
}

type proofCheck struct {
	Kind    string   `json:"kind"` // "inclusion" or "consistency"
	Index   int64    `json:"index"`
	OldSize int64    `json:"oldSize"`
	Size    int64    `json:"size"`
	Leaf    []byte   `json:"leaf"` // record data, for inclusion
	Proof   [][]byte `json:"proof"`
	OldRoot []byte   `json:"oldRoot"`
	Root    []byte   `json:"root"`
}

type response struct {
	Error string `json:"error,omitempty"`

	Skey     string     `json:"skey,omitempty"`
	Vkey     string     `json:"vkey,omitempty"`
	Note     string     `json:"note,omitempty"`
	Text     string     `json:"text,omitempty"`
	Verified []string   `json:"verified,omitempty"`
	Roots    [][]byte   `json:"roots,omitempty"`
	Proofs   [][][]byte `json:"proofs,omitempty"`
	Tiles    []tileData `json:"tiles,omitempty"`
	Results  []string   `json:"results,omitempty"`
	Bench    []figure   `json:"bench,omitempty"`
	Tree     *treeHead  `json:"tree,omitempty"`
}

// treeHead is a tlog.Tree as JSON, for parsetree.
type treeHead struct {
	Size int64  `json:"size"`
	Hash []byte `json:"hash"`
}

type tileData struct {
	Level int    `json:"level"`
	Index int64  `json:"index"`
	Width int    `json:"width"`
	Path  string `json:"path"`
	Data  []byte `json:"data"`
}

type figure struct {
	Name  string  `json:"name"`
	Ops   int64   `json:"ops"`
	Nanos float64 `json:"nanos"`
}

// memStore keeps every stored hash of a tree in memory, indexed as tlog.StoredHashIndex.
type memStore []tlog.Hash

func (s *memStore) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(*s)) {
			return nil, fmt.Errorf("stored hash %d not available", x)
		}
		out[i] = (*s)[x]
	}
	return out, nil
}

// build stores the hashes of a tree over records, the way a tlog server does.
func build(records [][]byte) (*memStore, error) {
	s := &memStore{}
	for i, r := range records {
		hashes, err := tlog.StoredHashes(int64(i), r, s)
		if err != nil {
			return nil, err
		}
		*s = append(*s, hashes...)
	}
	return s, nil
}

// treeHash is RFC 6962's root: x/mod's TreeHash(0) is all zeros, RFC 6962's is SHA-256("").
func treeHash(n int64, r tlog.HashReader) (tlog.Hash, error) {
	if n == 0 {
		return tlog.Hash{0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55}, nil
	}
	return tlog.TreeHash(n, r)
}

func hashes(p []tlog.Hash) [][]byte {
	out := make([][]byte, len(p))
	for i := range p {
		out[i] = append([]byte(nil), p[i][:]...)
	}
	return out
}

func toHash(b []byte) (tlog.Hash, error) {
	var h tlog.Hash
	if len(b) != tlog.HashSize {
		return h, fmt.Errorf("hash of %d bytes", len(b))
	}
	copy(h[:], b)
	return h, nil
}

func handle(req request) (resp response) {
	fail := func(err error) response { return response{Error: err.Error()} }
	switch req.Op {
	case "generate":
		skey, vkey, err := note.GenerateKey(rand.Reader, req.Name)
		if err != nil {
			return fail(err)
		}
		return response{Skey: skey, Vkey: vkey}

	case "sign":
		var signers []note.Signer
		for _, k := range req.Skeys {
			s, err := note.NewSigner(k)
			if err != nil {
				return fail(err)
			}
			signers = append(signers, s)
		}
		msg, err := note.Sign(&note.Note{Text: req.Text}, signers...)
		if err != nil {
			return fail(err)
		}
		return response{Note: string(msg)}

	case "verify":
		var verifiers []note.Verifier
		for _, k := range req.Vkeys {
			v, err := note.NewVerifier(k)
			if err != nil {
				return fail(err)
			}
			verifiers = append(verifiers, v)
		}
		n, err := note.Open([]byte(req.Note), note.VerifierList(verifiers...))
		if err != nil {
			return fail(err)
		}
		resp := response{Text: n.Text}
		for _, s := range n.Sigs {
			resp.Verified = append(resp.Verified, s.Name)
		}
		return resp

	case "tree":
		s, err := build(req.Leaves)
		if err != nil {
			return fail(err)
		}
		n := int64(len(req.Leaves))
		for size := int64(0); size <= n; size++ {
			h, err := treeHash(size, s)
			if err != nil {
				return fail(err)
			}
			resp.Roots = append(resp.Roots, append([]byte(nil), h[:]...))
		}
		for _, q := range req.Inclusion {
			p, err := tlog.ProveRecord(q[1], q[0], s)
			if err != nil {
				return fail(err)
			}
			resp.Proofs = append(resp.Proofs, hashes(p))
		}
		for _, q := range req.Consistency {
			p, err := tlog.ProveTree(q[1], q[0], s)
			if err != nil {
				return fail(err)
			}
			resp.Proofs = append(resp.Proofs, hashes(p))
		}
		return resp

	case "tiles":
		// The tiles a log of Size records has, with height 8 as in C2SP tlog-tiles.
		s, err := build(req.Leaves)
		if err != nil {
			return fail(err)
		}
		for _, t := range tlog.NewTiles(8, req.OldSize, req.Size) {
			data, err := tlog.ReadTileData(t, s)
			if err != nil {
				return fail(err)
			}
			resp.Tiles = append(resp.Tiles, tileData{Level: t.L, Index: t.N, Width: t.W, Path: t.Path(), Data: data})
		}
		return resp

	case "check":
		for _, c := range req.Proofs {
			resp.Results = append(resp.Results, checkProof(c))
		}
		return resp

	case "parsetree":
		// A tree note as a go.sum database client reads one: Open with the log's keys, then
		// ParseTree. Text is FormatTree of the parsed tree, to compare with the signed text.
		var verifiers []note.Verifier
		for _, k := range req.Vkeys {
			v, err := note.NewVerifier(k)
			if err != nil {
				return fail(err)
			}
			verifiers = append(verifiers, v)
		}
		n, err := note.Open([]byte(req.Note), note.VerifierList(verifiers...))
		if err != nil {
			return fail(err)
		}
		tree, err := tlog.ParseTree([]byte(n.Text))
		if err != nil {
			return fail(err)
		}
		return response{
			Text: string(tlog.FormatTree(tree)),
			Tree: &treeHead{Size: tree.N, Hash: append([]byte(nil), tree.Hash[:]...)},
		}

	case "tileproofs":
		// Reads a tree of Size records with hash Root from tiles written by Tamga, through
		// tlog.TileHashReader, which checks the tiles it reads against Root. Answers the tree
		// hash, then the proofs asked, as in the tree op.
		return tileProofs(req)

	case "tlogproof":
		if len(req.Vkeys) != 1 {
			return fail(errors.New("tlogproof takes the log's verifier key alone"))
		}
		for _, f := range req.Files {
			data, err := os.ReadFile(f)
			if err != nil {
				return fail(err)
			}
			if err := checkTlogProof(data, req.Vkeys[0], req.Origin); err != nil {
				resp.Results = append(resp.Results, err.Error())
			} else {
				resp.Results = append(resp.Results, "ok")
			}
		}
		return resp

	case "bench":
		return bench(req)
	}
	return fail(fmt.Errorf("unknown op %q", req.Op))
}

func checkProof(c proofCheck) string {
	root, err := toHash(c.Root)
	if err != nil {
		return err.Error()
	}
	var proof []tlog.Hash
	for _, p := range c.Proof {
		h, err := toHash(p)
		if err != nil {
			return err.Error()
		}
		proof = append(proof, h)
	}
	switch c.Kind {
	case "inclusion":
		if err := tlog.CheckRecord(proof, c.Size, root, c.Index, tlog.RecordHash(c.Leaf)); err != nil {
			return err.Error()
		}
	case "consistency":
		old, err := toHash(c.OldRoot)
		if err != nil {
			return err.Error()
		}
		if err := tlog.CheckTree(proof, c.Size, root, c.OldSize, old); err != nil {
			return err.Error()
		}
	default:
		return "unknown kind " + c.Kind
	}
	return "ok"
}

// checkTlogProof checks a c2sp.org/tlog-proof@v1 file as a client that knows nothing of Tamga
// but the spec and the log's key would: it opens the checkpoint with x/mod's note (witness
// cosignatures, of a type x/mod does not know, stay unverified), reads the checkpoint's origin,
// size and root, and checks that SHA-256(extra), the Tamga commitment, is entry index of that
// tree with tlog.CheckRecord.
func checkTlogProof(data []byte, vkey, origin string) error {
	text := string(data)
	next := func() (string, error) {
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			return "", errors.New("truncated proof")
		}
		line := text[:i]
		text = text[i+1:]
		return line, nil
	}
	line, err := next()
	if err != nil || line != "c2sp.org/tlog-proof@v1" {
		return fmt.Errorf("not a c2sp.org/tlog-proof@v1 proof: %q", line)
	}
	if line, err = next(); err != nil {
		return err
	}
	var extra []byte
	if strings.HasPrefix(line, "extra ") {
		if extra, err = base64.StdEncoding.Strict().DecodeString(line[len("extra "):]); err != nil {
			return fmt.Errorf("extra: %v", err)
		}
		if line, err = next(); err != nil {
			return err
		}
	}
	if !strings.HasPrefix(line, "index ") {
		return fmt.Errorf("no index line: %q", line)
	}
	digits := line[len("index "):]
	index, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || index < 0 || strconv.FormatInt(index, 10) != digits {
		return fmt.Errorf("bad index %q", digits)
	}
	var proof tlog.RecordProof
	for {
		if line, err = next(); err != nil {
			return err
		}
		if line == "" {
			break
		}
		h, err := base64.StdEncoding.Strict().DecodeString(line)
		if err != nil || len(h) != tlog.HashSize {
			return fmt.Errorf("bad proof hash %q", line)
		}
		var hash tlog.Hash
		copy(hash[:], h)
		proof = append(proof, hash)
	}

	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return err
	}
	n, err := note.Open([]byte(text), note.VerifierList(verifier))
	if err != nil {
		return err
	}
	body := strings.SplitN(n.Text, "\n", 4)
	if len(body) < 4 || body[0] != origin {
		return fmt.Errorf("checkpoint of another origin: %q", body[0])
	}
	size, err := strconv.ParseInt(body[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != body[1] {
		return fmt.Errorf("bad checkpoint size %q", body[1])
	}
	r, err := base64.StdEncoding.Strict().DecodeString(body[2])
	if err != nil || len(r) != tlog.HashSize {
		return fmt.Errorf("bad checkpoint root %q", body[2])
	}
	var root tlog.Hash
	copy(root[:], r)

	if !bytes.HasPrefix(extra, []byte("tamga/record/v1\n")) {
		return errors.New("the extra data is not a Tamga record commitment preimage")
	}
	commitment := sha256.Sum256(extra)
	return tlog.CheckRecord(proof, size, root, index, tlog.RecordHash(commitment[:]))
}

func tileProofs(req request) response {
	fail := func(err error) response { return response{Error: err.Error()} }
	root, err := toHash(req.Root)
	if err != nil {
		return fail(err)
	}
	store := &tileStore{data: map[tlog.Tile][]byte{}}
	for _, t := range req.Tiles {
		tile, err := tlog.ParseTilePath(t.Path)
		if err != nil {
			return fail(err)
		}
		store.data[tile] = t.Data
	}
	reader := tlog.TileHashReader(tlog.Tree{N: req.Size, Hash: root}, store)
	h, err := tlog.TreeHash(req.Size, reader)
	if err != nil {
		return fail(err)
	}
	resp := response{Roots: [][]byte{append([]byte(nil), h[:]...)}}
	for _, q := range req.Inclusion {
		p, err := tlog.ProveRecord(q[1], q[0], reader)
		if err != nil {
			return fail(err)
		}
		resp.Proofs = append(resp.Proofs, hashes(p))
	}
	for _, q := range req.Consistency {
		p, err := tlog.ProveTree(q[1], q[0], reader)
		if err != nil {
			return fail(err)
		}
		resp.Proofs = append(resp.Proofs, hashes(p))
	}
	return resp
}

// tileStore serves tiles from memory to tlog.TileHashReader, as a client reading a tiled log.
type tileStore struct {
	data  map[tlog.Tile][]byte
	saved map[tlog.Tile][]byte
}

func (t *tileStore) Height() int { return 8 }
func (t *tileStore) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, tile := range tiles {
		d, ok := t.data[tile]
		if !ok {
			return nil, fmt.Errorf("no tile %s", tile.Path())
		}
		out[i] = d
	}
	return out, nil
}
func (t *tileStore) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

func measure(name string, ops int64, f func() error) (figure, error) {
	start := time.Now()
	if err := f(); err != nil {
		return figure{}, err
	}
	return figure{Name: name, Ops: ops, Nanos: float64(time.Since(start).Nanoseconds())}, nil
}

// bench does the same work as bench/log in Tamga: leaf data is the 8-byte big-endian index.
func bench(req request) response {
	fail := func(err error) response { return response{Error: err.Error()} }
	n := req.BenchLeaves
	record := func(i int64) []byte {
		b := make([]byte, 8)
		for k := 0; k < 8; k++ {
			b[7-k] = byte(i >> (8 * k))
		}
		return b
	}
	var resp response
	var store *memStore
	var root tlog.Hash
	f, err := measure("root of leaves", n, func() error {
		store = &memStore{}
		for i := int64(0); i < n; i++ {
			hs, err := tlog.StoredHashes(i, record(i), store)
			if err != nil {
				return err
			}
			*store = append(*store, hs...)
		}
		var err error
		root, err = tlog.TreeHash(n, store)
		return err
	})
	if err != nil {
		return fail(err)
	}
	resp.Bench = append(resp.Bench, f)

	tiles := &tileStore{data: map[tlog.Tile][]byte{}}
	for _, t := range tlog.NewTiles(8, 0, n) {
		d, err := tlog.ReadTileData(t, store)
		if err != nil {
			return fail(err)
		}
		tiles.data[t] = d
	}
	reader := tlog.TileHashReader(tlog.Tree{N: n, Hash: root}, tiles)

	// A fixed pseudo-random sequence, the same in both implementations.
	x := uint64(0x9e3779b97f4a7c15)
	next := func(mod int64) int64 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return int64(x % uint64(mod))
	}
	// x/mod proves from its stored hashes (its fastest path); TileHashReader re-verifies every
	// tile it reads against the tree hash, which costs far more, so it runs on fewer proofs.
	prove := func(name string, r tlog.HashReader, count int) error {
		f, err := measure("inclusion proof + verify, "+name, int64(count), func() error {
			for k := 0; k < count; k++ {
				i := next(n)
				p, err := tlog.ProveRecord(n, i, r)
				if err != nil {
					return err
				}
				if err := tlog.CheckRecord(p, n, root, i, tlog.RecordHash(record(i))); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		resp.Bench = append(resp.Bench, f)
		f, err = measure("consistency proof + verify, "+name, int64(count/10), func() error {
			for k := 0; k < count/10; k++ {
				m := 1 + next(n-1)
				p, err := tlog.ProveTree(n, m, r)
				if err != nil {
					return err
				}
				old, err := tlog.TreeHash(m, r)
				if err != nil {
					return err
				}
				if err := tlog.CheckTree(p, n, root, m, old); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		resp.Bench = append(resp.Bench, f)
		return nil
	}
	if err := prove("stored hashes", store, req.BenchInclusion); err != nil {
		return fail(err)
	}
	if err := prove("TileHashReader", reader, req.BenchInclusion/100); err != nil {
		return fail(err)
	}

	skey, vkey, err := note.GenerateKey(rand.Reader, "bench.example/log")
	if err != nil {
		return fail(err)
	}
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	text := string(tlog.FormatTree(tlog.Tree{N: n, Hash: root}))
	var signed []byte
	f, err = measure("note sign", int64(req.BenchNotes), func() error {
		for k := 0; k < req.BenchNotes; k++ {
			var err error
			signed, err = note.Sign(&note.Note{Text: text}, signer)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fail(err)
	}
	resp.Bench = append(resp.Bench, f)
	f, err = measure("note verify", int64(req.BenchNotes), func() error {
		for k := 0; k < req.BenchNotes; k++ {
			if _, err := note.Open(signed, note.VerifierList(verifier)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fail(err)
	}
	resp.Bench = append(resp.Bench, f)
	return resp
}

func main() {
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := json.NewEncoder(os.Stdout)
	dec := json.NewDecoder(in)
	for {
		var req request
		if err := dec.Decode(&req); err != nil {
			if err.Error() == "EOF" {
				return
			}
			fmt.Fprintln(os.Stderr, "xmod:", err)
			os.Exit(2)
		}
		if err := out.Encode(handle(req)); err != nil {
			fmt.Fprintln(os.Stderr, "xmod:", err)
			os.Exit(2)
		}
	}
}
