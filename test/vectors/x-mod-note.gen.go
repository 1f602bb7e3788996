//go:build ignore

// Generates x-mod-note.json from the test cases of golang.org/x/mod v0.7.0
// (sumdb/note/note_test.go, sumdb/note/example_test.go, sumdb/tlog/note_test.go),
// recording the verdict of the Go reference implementation itself next to the
// outcome Tamga expects. Run from this directory, with x/mod in GOPATH:
//
//	GOPATH=/usr/share/gocode GO111MODULE=off go run x-mod-note.gen.go > x-mod-note.json
package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type keyVector struct {
	From        string  `json:"from"`
	Description string  `json:"description"`
	Key         string  `json:"key"`
	GoError     *string `json:"goError"`
	Name        string  `json:"name,omitempty"`
	KeyID       string  `json:"keyId,omitempty"`
	VerifierKey string  `json:"verifierKey,omitempty"`
	Mangle      bool    `json:"mangle,omitempty"`
	Error       string  `json:"error,omitempty"`
}

type sig struct {
	Name   string `json:"name"`
	KeyID  string `json:"keyId"`
	Base64 string `json:"base64"`
}

type openResult struct {
	Text       string `json:"text"`
	Verified   []sig  `json:"verified"`
	Unverified []sig  `json:"unverified"`
}

type openVector struct {
	From         string      `json:"from"`
	Description  string      `json:"description"`
	Msg          string      `json:"msg,omitempty"`
	MsgBase64    string      `json:"msgBase64,omitempty"`
	VerifierKeys []string    `json:"verifierKeys"`
	GoError      *string     `json:"goError"`
	Expect       *openResult `json:"expect,omitempty"`
	Error        string      `json:"error,omitempty"`
	Unverified   []sig       `json:"unverified,omitempty"`
}

type signVector struct {
	From         string   `json:"from"`
	Description  string   `json:"description"`
	Text         string   `json:"text"`
	Existing     string   `json:"existing,omitempty"`
	ExistingKeys []string `json:"existingVerifierKeys,omitempty"`
	SignerKeys   []string `json:"signerKeys"`
	Note         string   `json:"note"`
}

type checkpointVector struct {
	From        string   `json:"from"`
	Description string   `json:"description"`
	Text        string   `json:"text"`
	GoParseTree string   `json:"goParseTree"`
	Origin      string   `json:"origin,omitempty"`
	Size        *int64   `json:"size,omitempty"`
	Root        string   `json:"root,omitempty"`
	Extensions  []string `json:"extensions,omitempty"`
	Error       string   `json:"error,omitempty"`
	Why         string   `json:"why,omitempty"`
}

type formatVector struct {
	From   string `json:"from"`
	Origin string `json:"origin"`
	Size   int64  `json:"size"`
	Root   string `json:"root"`
	Text   string `json:"text"`
}

func errString(err error) *string {
	if err == nil {
		return nil
	}
	s := err.Error()
	return &s
}

func sigs(list []note.Signature) []sig {
	out := []sig{}
	for _, s := range list {
		out = append(out, sig{s.Name, fmt.Sprintf("%08x", s.Hash), s.Base64})
	}
	return out
}

const (
	peterVKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
	peterSKey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
	enochVKey = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
	text      = "If you think cryptography is the answer to your problem,\n" +
		"then you don't know what your problem is.\n"
	peterSig = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
	enochSig = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
)

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func verifiers(keys []string) note.Verifiers {
	var list []note.Verifier
	for _, k := range keys {
		v, err := note.NewVerifier(k)
		must(err)
		list = append(list, v)
	}
	return note.VerifierList(list...)
}

type zeroReader struct{}

func (zeroReader) Read(buf []byte) (int, error) {
	for i := range buf {
		buf[i] = 0
	}
	return len(buf), nil
}

func main() {
	out := map[string]any{}
	out["source"] = "golang.org/x/mod v0.7.0: sumdb/note/note_test.go, sumdb/note/example_test.go, sumdb/tlog/note_test.go"
	out["license"] = "BSD-3-Clause, Copyright 2019 The Go Authors; see x-mod-LICENSE"
	out["generator"] = "x-mod-note.gen.go (records the verdict of x/mod itself as goError / goParseTree)"

	// Verifier keys (TestNewVerifier, TestVerifierList).
	var vkeys []keyVector
	addV := func(from, desc, key, tamgaErr string, mangle bool) {
		v, err := note.NewVerifier(key)
		kv := keyVector{From: from, Description: desc, Key: key, GoError: errString(err), Mangle: mangle, Error: tamgaErr}
		if err == nil {
			kv.Name = v.Name()
			kv.KeyID = fmt.Sprintf("%08x", v.KeyHash())
		}
		vkeys = append(vkeys, kv)
	}
	addV("note_test.go TestNewVerifier", "valid Ed25519 verifier key; every substring and every one-byte increment must be rejected", peterVKey, "", true)
	addV("note_test.go TestVerifierList", "valid Ed25519 verifier key", enochVKey, "", false)
	// Go decodes base64 leniently and rejects this key for its length; Tamga's
	// canonical base64 already refuses the non-zero bits before "==".
	addV("note_test.go TestNewVerifier", "wrong length key, with adjusted key hash", "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==", "key.malformed", false)
	addV("note_test.go TestNewVerifier", "unknown algorithm, with adjusted key hash", "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "key.unknown-type", false)
	out["verifierKeys"] = vkeys

	// Signer keys (TestNewSigner, ExampleSign_add_signatures with a zero seed).
	var skeys []keyVector
	addS := func(from, desc, key, tamgaErr string, mangle bool) {
		s, err := note.NewSigner(key)
		kv := keyVector{From: from, Description: desc, Key: key, GoError: errString(err), Mangle: mangle, Error: tamgaErr}
		if err == nil {
			kv.Name = s.Name()
			kv.KeyID = fmt.Sprintf("%08x", s.KeyHash())
		}
		skeys = append(skeys, kv)
	}
	addS("note_test.go TestNewSigner", "valid Ed25519 signer key; every substring and every one-byte increment must be rejected", peterSKey, "", true)
	enochSKey, enochV, err := note.GenerateKey(zeroReader{}, "EnochRoot")
	must(err)
	if enochV != enochVKey {
		panic("zero-seed EnochRoot key differs from note_test.go")
	}
	addS("example_test.go ExampleSign_add_signatures", "note.GenerateKey with an all-zero random source (seed = 32 zero bytes)", enochSKey, "", false)
	skeys[0].VerifierKey = peterVKey
	skeys[1].VerifierKey = enochVKey
	out["signerKeys"] = skeys

	// Sign (TestSign, ExampleSign, ExampleSign_add_signatures).
	var signs []signVector
	peter, err := note.NewSigner(peterSKey)
	must(err)
	msg, err := note.Sign(&note.Note{Text: text}, peter)
	must(err)
	signs = append(signs, signVector{From: "note_test.go TestSign, example_test.go ExampleSign", Description: "one Ed25519 signature", Text: text, SignerKeys: []string{peterSKey}, Note: string(msg)})
	n, err := note.Open(msg, verifiers([]string{peterVKey}))
	must(err)
	enoch, err := note.NewSigner(enochSKey)
	must(err)
	msg2, err := note.Sign(n, enoch)
	must(err)
	signs = append(signs, signVector{From: "example_test.go ExampleSign_add_signatures", Description: "a second signature added to a signed note", Text: text, Existing: string(msg), ExistingKeys: []string{peterVKey}, SignerKeys: []string{enochSKey}, Note: string(msg2)})
	msg3, err := note.Sign(n, peter)
	must(err)
	signs = append(signs, signVector{From: "note_test.go TestSign", Description: "re-signing with the same key replaces the existing signature", Text: text, Existing: string(msg), ExistingKeys: []string{peterVKey}, SignerKeys: []string{peterSKey}, Note: string(msg3)})
	out["sign"] = signs

	// Open (TestOpen).
	var opens []openVector
	addO := func(desc, m string, keys []string, tamgaErr string) {
		nn, err := note.Open([]byte(m), verifiers(keys))
		ov := openVector{From: "note_test.go TestOpen", Description: desc, Msg: m, VerifierKeys: keys, GoError: errString(err), Error: tamgaErr}
		if !utf8.ValidString(m) {
			// JSON strings cannot hold invalid UTF-8.
			ov.Msg = ""
			ov.MsgBase64 = base64.StdEncoding.EncodeToString([]byte(m))
		}
		if keys == nil {
			ov.VerifierKeys = []string{}
		}
		if err == nil {
			ov.Expect = &openResult{Text: nn.Text, Verified: sigs(nn.Sigs), Unverified: sigs(nn.UnverifiedSigs)}
		} else if u, ok := err.(*note.UnverifiedNoteError); ok {
			ov.Unverified = sigs(u.Note.UnverifiedSigs)
		}
		if (err == nil) != (tamgaErr == "") {
			panic("verdicts differ: " + desc)
		}
		opens = append(opens, ov)
	}
	addO("one signature verified, one by an unknown key", text+"\n"+peterSig+enochSig, []string{peterVKey}, "")
	addO("both signatures verified", text+"\n"+peterSig+enochSig, []string{peterVKey, enochVKey}, "")
	addO("no known key: both unverified", text+"\n"+peterSig+enochSig, nil, "note.no-verified-signature")
	addO("duplicated verifier used by the note", text+"\n"+enochSig, []string{enochVKey, peterVKey, enochVKey}, "note.ambiguous-verifier")
	addO("duplicated verifier not used by the note", text+"\n"+peterSig, []string{enochVKey, peterVKey, enochVKey}, "")
	addO("101 signatures by a known key", text+"\n"+strings.Repeat(peterSig, 101), []string{peterVKey}, "note.too-many-signatures")
	addO("101 signatures by an unknown key", text+"\n"+strings.Repeat(peterSig, 101), nil, "note.too-many-signatures")
	addO("100 signatures by a known key: duplicates dropped", text+"\n"+strings.Repeat(peterSig, 100), []string{peterVKey}, "")
	addO("invalid signature by a known key", text+"\n"+peterSig[:60]+"ABCD"+peterSig[60:], []string{peterVKey}, "note.bad-signature")
	addO("duplicated verified and unverified signatures", text+"\n"+peterSig+peterSig+enochSig+enochSig+enochSig[:60]+"ABCD"+enochSig[60:], []string{peterVKey}, "")
	addO("malformed: text without signatures", text, []string{peterVKey}, "note.no-signatures")
	addO("malformed: blank line without signatures", text+"\n", []string{peterVKey}, "note.unterminated")
	addO("malformed: last signature line without newline", text+"\n"+peterSig[:len(peterSig)-1], []string{peterVKey}, "note.unterminated")
	addO("malformed: control character", "\x01"+text+"\n"+peterSig, []string{peterVKey}, "note.control-character")
	addO("malformed: invalid UTF-8", "\xff"+text+"\n"+peterSig, []string{peterVKey}, "utf8.invalid")
	addO("malformed: space in key name, no final newline", text+"\n"+"— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=", []string{peterVKey}, "note.unterminated")
	addO("malformed: line that is not a signature", text+"\n"+peterSig+"Unexpected line.\n", []string{peterVKey}, "note.bad-signature-line")
	out["open"] = opens

	// Tree notes (sumdb/tlog/note_test.go). A go.sum tree note is a C2SP
	// checkpoint with the origin "go.sum database tree".
	golden := "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n"
	h := tlog.RecordHash([]byte("hello world"))
	if string(tlog.FormatTree(tlog.Tree{N: 123456789012, Hash: h})) != golden {
		panic("FormatTree")
	}
	out["formatCheckpoint"] = []formatVector{{From: "tlog/note_test.go TestFormatTree", Origin: "go.sum database tree", Size: 123456789012, Root: h.String(), Text: golden}}
	var cps []checkpointVector
	size := int64(123456789012)
	addC := func(desc, t string, want checkpointVector) {
		_, err := tlog.ParseTree([]byte(t))
		want.From = "tlog/note_test.go TestParseTree"
		want.Description = desc
		want.Text = t
		want.GoParseTree = "ok"
		if err != nil {
			want.GoParseTree = err.Error()
		}
		cps = append(cps, want)
	}
	ok := checkpointVector{Origin: "go.sum database tree", Size: &size, Root: h.String()}
	addC("tree note", golden, ok)
	notOK := ok
	notOK.Origin = "not-go.sum database tree"
	notOK.Why = "a valid checkpoint of another origin: Go's ParseTree knows only \"go.sum database tree\"; Tamga's openCheckpoint rejects it (checkpoint.wrong-origin) when told to expect that origin"
	addC("another origin", "not-"+golden, notOK)
	addC("hexadecimal size", "go.sum database tree\n0xabcdef\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n", checkpointVector{Error: "decimal.syntax"})
	addC("root hash too long", "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBTOOBIG=\n", checkpointVector{Error: "base64.padding", Why: "Go rejects the 35-byte hash; Tamga's canonical base64 already refuses the non-zero bits before \"=\""})
	addC("junk after the note, no final newline", golden+"JOE", checkpointVector{Error: "note.text-unterminated", Why: "a C2SP checkpoint is note text, which ends with a newline; Go's ParseTree ignores anything after the third line"})
	joe := ok
	joe.Extensions = []string{"JOE"}
	joe.Why = "Go ignores lines after the root; C2SP calls them extension lines, and Tamga keeps them"
	addC("one extra line", golden+"JOE\n", joe)
	many := ok
	for i := 0; i < 1000; i++ {
		many.Extensions = append(many.Extensions, "JOE")
	}
	many.Why = joe.Why
	addC("a thousand extra lines", golden+strings.Repeat("JOE\n", 1000), many)
	out["checkpoints"] = cps

	// The seed behind EnochRoot, for generateSignerKey.
	out["zeroSeedPublicKey"] = fmt.Sprintf("%x", ed25519.NewKeyFromSeed(make([]byte, 32))[32:])

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	must(enc.Encode(out))
	os.Stdout.Write(buf.Bytes())
}
