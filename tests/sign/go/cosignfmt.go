// An independent reader and writer of cosign's key format and simple-signing payload, for
// hardhull's tests (issue #11): written for hardhull (not copied from cosign), on the same
// Go libraries cosign's format rests on — encoding/json, encoding/pem, crypto/x509,
// golang.org/x/crypto/scrypt and golang.org/x/crypto/nacl/secretbox.
//
//	COSIGNFMT_PASSWORD=pw go run cosignfmt.go decrypt < cosign.key   -> hex PKIX DER of the public key
//	COSIGNFMT_PASSWORD=pw go run cosignfmt.go encrypt                -> cosign.key PEM, then a line of hex PKIX DER
//	go run cosignfmt.go payload REF DIGEST [KEY=VALUE]...           -> the payload as Go marshals it
package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/crypto/nacl/secretbox"
	"golang.org/x/crypto/scrypt"
)

type params struct {
	N int `json:"N"`
	R int `json:"r"`
	P int `json:"p"`
}

type kdf struct {
	Name   string `json:"name"`
	Params params `json:"params"`
	Salt   []byte `json:"salt"`
}

type cipher struct {
	Name  string `json:"name"`
	Nonce []byte `json:"nonce"`
}

type envelope struct {
	KDF        kdf    `json:"kdf"`
	Cipher     cipher `json:"cipher"`
	Ciphertext []byte `json:"ciphertext"`
}

type identity struct {
	DockerReference string `json:"docker-reference"`
}

type image struct {
	DockerManifestDigest string `json:"docker-manifest-digest"`
}

type critical struct {
	Identity identity `json:"identity"`
	Image    image    `json:"image"`
	Type     string   `json:"type"`
}

type simpleSigning struct {
	Critical critical               `json:"critical"`
	Optional map[string]interface{} `json:"optional"`
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func boxKey(k kdf, password []byte) *[32]byte {
	ok := k.Name == "scrypt" && k.Params.R == 8 && k.Params.P == 1 &&
		(k.Params.N == 1<<15 || k.Params.N == 1<<16 || k.Params.N == 1<<17)
	if !ok {
		fail("unsupported kdf %q %+v", k.Name, k.Params)
	}
	raw, err := scrypt.Key(password, k.Salt, k.Params.N, k.Params.R, k.Params.P, 32)
	if err != nil {
		fail("scrypt: %v", err)
	}
	var key [32]byte
	copy(key[:], raw)
	return &key
}

func decrypt(password []byte) {
	in, _ := io.ReadAll(os.Stdin)
	block, _ := pem.Decode(in)
	if block == nil || (block.Type != "ENCRYPTED SIGSTORE PRIVATE KEY" && block.Type != "ENCRYPTED COSIGN PRIVATE KEY") {
		fail("not a cosign key PEM")
	}
	var env envelope
	if err := json.Unmarshal(block.Bytes, &env); err != nil {
		fail("json: %v", err)
	}
	if env.Cipher.Name != "nacl/secretbox" || len(env.Cipher.Nonce) != 24 {
		fail("unsupported cipher")
	}
	var nonce [24]byte
	copy(nonce[:], env.Cipher.Nonce)
	der, ok := secretbox.Open(nil, env.Ciphertext, &nonce, boxKey(env.KDF, password))
	if !ok {
		fail("decryption failed")
	}
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		fail("pkcs8: %v", err)
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		fail("not a signer")
	}
	pub, err := x509.MarshalPKIXPublicKey(signer.Public())
	if err != nil {
		fail("pkix: %v", err)
	}
	fmt.Println(hex.EncodeToString(pub))
}

func encrypt(password []byte) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		fail("generate: %v", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		fail("pkcs8: %v", err)
	}
	env := envelope{
		KDF:    kdf{Name: "scrypt", Params: params{N: 1 << 16, R: 8, P: 1}, Salt: make([]byte, 32)},
		Cipher: cipher{Name: "nacl/secretbox", Nonce: make([]byte, 24)},
	}
	if _, err := rand.Read(env.KDF.Salt); err != nil {
		fail("rand: %v", err)
	}
	if _, err := rand.Read(env.Cipher.Nonce); err != nil {
		fail("rand: %v", err)
	}
	var nonce [24]byte
	copy(nonce[:], env.Cipher.Nonce)
	env.Ciphertext = secretbox.Seal(nil, der, &nonce, boxKey(env.KDF, password))
	body, err := json.Marshal(env)
	if err != nil {
		fail("json: %v", err)
	}
	os.Stdout.Write(pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED SIGSTORE PRIVATE KEY", Bytes: body}))
	pub, _ := x509.MarshalPKIXPublicKey(priv.Public())
	fmt.Println(hex.EncodeToString(pub))
}

func payload(args []string) {
	p := simpleSigning{Critical: critical{
		Identity: identity{DockerReference: args[0]},
		Image:    image{DockerManifestDigest: args[1]},
		Type:     "cosign container image signature",
	}}
	for _, kv := range args[2:] {
		if p.Optional == nil {
			p.Optional = map[string]interface{}{}
		}
		parts := strings.SplitN(kv, "=", 2)
		p.Optional[parts[0]] = parts[1]
	}
	out, err := json.Marshal(p)
	if err != nil {
		fail("json: %v", err)
	}
	os.Stdout.Write(out)
}

func main() {
	if len(os.Args) < 2 {
		fail("usage: cosignfmt decrypt|encrypt|payload ...")
	}
	password := []byte(os.Getenv("COSIGNFMT_PASSWORD"))
	switch os.Args[1] {
	case "decrypt":
		decrypt(password)
	case "encrypt":
		encrypt(password)
	case "payload":
		payload(os.Args[2:])
	default:
		fail("unknown mode %q", os.Args[1])
	}
}
