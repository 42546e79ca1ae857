// csr-oracle reads CSR request fields (one base64-encoded PEM text per stdin line, as in a CSR's
// spec.request) and prints, one JSON line each, what Kubernetes itself does with them: whether the
// API server's create validation accepts the object, and the certificate the kube-apiserver-client
// signer would issue (the real CertificateAuthority.Sign and signing policy, with a throwaway CA),
// read back with crypto/x509 and the API server's x509 authenticator. The approver's tests use it
// as the oracle: whatever this prints is what a user would really get.
package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"time"

	x509request "k8s.io/apiserver/pkg/authentication/request/x509"
	capi "k8s.io/api/certificates/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/kubernetes/pkg/apis/certificates"
	"k8s.io/kubernetes/pkg/apis/certificates/validation"
	"k8s.io/kubernetes/pkg/controller/certificates/authority"
)

type attribute struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

type identity struct {
	Name   string   `json:"name"`
	UID    string   `json:"uid"`
	Groups []string `json:"groups"`
}

type issued struct {
	CommonNames    []string    `json:"commonNames"`
	Organizations  []string    `json:"organizations"`
	OtherSubject   []attribute `json:"otherSubject"`
	DNSNames       []string    `json:"dnsNames"`
	IPAddresses    []string    `json:"ipAddresses"`
	URIs           []string    `json:"uris"`
	EmailAddresses []string    `json:"emailAddresses"`
	Extensions     []string    `json:"extensions"`
	// What the API server's x509 authenticator makes of the certificate (nil: not authenticated).
	User *identity `json:"user"`
}

type verdict struct {
	APIServerAccepts bool     `json:"apiServerAccepts"`
	APIServerErrors  []string `json:"apiServerErrors"`
	SignError        string   `json:"signError,omitempty"`
	Certificate      *issued  `json:"certificate"`
}

var usages = []capi.KeyUsage{capi.UsageClientAuth, capi.UsageDigitalSignature}

func main() {
	ca, err := throwawayCA()
	if err != nil {
		fmt.Fprintln(os.Stderr, "csr-oracle:", err)
		os.Exit(1)
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 16<<20)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		request, err := base64.StdEncoding.DecodeString(in.Text())
		if err != nil {
			fmt.Fprintln(os.Stderr, "csr-oracle: a line is not base64:", err)
			os.Exit(1)
		}
		if err := out.Encode(judge(ca, request)); err != nil {
			os.Exit(1)
		}
	}
}

func judge(ca *authority.CertificateAuthority, request []byte) verdict {
	v := verdict{APIServerErrors: []string{}}
	expiration := int32(3600)
	object := &certificates.CertificateSigningRequest{
		ObjectMeta: metav1.ObjectMeta{Name: "user=jean.doe"},
		Spec: certificates.CertificateSigningRequestSpec{
			Request:           request,
			SignerName:        capi.KubeAPIServerClientSignerName,
			ExpirationSeconds: &expiration,
			Usages:            []certificates.KeyUsage{certificates.UsageClientAuth, certificates.UsageDigitalSignature},
		},
	}
	for _, e := range validation.ValidateCertificateSigningRequestCreate(object) {
		v.APIServerErrors = append(v.APIServerErrors, e.Error())
	}
	v.APIServerAccepts = len(v.APIServerErrors) == 0
	// The csrsigning controller's path: parse the PEM, then Sign with the signer's policy.
	parsed, err := certificates.ParseCSR(request)
	if err != nil {
		v.SignError = err.Error()
		return v
	}
	der, err := ca.Sign(parsed.Raw, authority.PermissiveSigningPolicy{TTL: time.Hour, Usages: usages, Backdate: 5 * time.Minute, Short: 8 * time.Hour})
	if err != nil {
		v.SignError = err.Error()
		return v
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		v.SignError = "issued certificate does not parse: " + err.Error()
		return v
	}
	v.Certificate = describe(cert)
	return v
}

func describe(cert *x509.Certificate) *issued {
	c := &issued{CommonNames: []string{}, Organizations: []string{}, OtherSubject: []attribute{}, DNSNames: cert.DNSNames, IPAddresses: []string{}, URIs: []string{}, EmailAddresses: cert.EmailAddresses, Extensions: []string{}}
	for _, name := range cert.Subject.Names {
		value := fmt.Sprint(name.Value)
		switch name.Type.String() {
		case "2.5.4.3":
			c.CommonNames = append(c.CommonNames, value)
		case "2.5.4.10":
			c.Organizations = append(c.Organizations, value)
		default:
			c.OtherSubject = append(c.OtherSubject, attribute{name.Type.String(), value})
		}
	}
	if c.DNSNames == nil {
		c.DNSNames = []string{}
	}
	if c.EmailAddresses == nil {
		c.EmailAddresses = []string{}
	}
	for _, ip := range cert.IPAddresses {
		c.IPAddresses = append(c.IPAddresses, ip.String())
	}
	for _, uri := range cert.URIs {
		c.URIs = append(c.URIs, uri.String())
	}
	for _, extension := range cert.Extensions {
		c.Extensions = append(c.Extensions, extension.Id.String())
	}
	if response, ok, err := x509request.CommonNameUserConversion.User([]*x509.Certificate{cert}); err == nil && ok {
		c.User = &identity{Name: response.User.GetName(), UID: response.User.GetUID(), Groups: response.User.GetGroups()}
		if c.User.Groups == nil {
			c.User.Groups = []string{}
		}
	}
	return c
}

func throwawayCA() (*authority.CertificateAuthority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "csr-oracle-ca"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &authority.CertificateAuthority{Certificate: cert, PrivateKey: key}, nil
}
