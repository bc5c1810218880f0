#!/usr/bin/env bash
# Regenerate grammar/ciphers.tsv from the installed OpenSSL CLI.
#
#   bash grammar/gen-ciphers.sh > grammar/ciphers.tsv
#
# Every fact about a suite OpenSSL builds comes from `openssl ciphers`; only
# the suites it does not build (RC4, 3DES, DES, IDEA, EXPORT) are written by
# hand at the bottom (see grammar/README.md, section "ciphers.tsv").
set -euo pipefail

# The system openssl.cnf may carry a CipherString or providers; keep it out so
# the table describes the library itself.
export OPENSSL_CONF=/dev/null
export LC_ALL=C

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# names STRING: the TLS <= 1.2 suites STRING selects, one OpenSSL name a line
# (nothing when OpenSSL rejects the string).
names() {
    openssl ciphers -ciphersuites '' "$@" 2>/dev/null | tr ':' '\n' | grep . || true
}
legacy='-provider legacy -provider default'


# 1. Every suite of this build, with the verbose description.
openssl ciphers -V -stdname -ciphersuites '' 'ALL:COMPLEMENTOFALL:@SECLEVEL=0' \
    >"$tmp/tls12.txt"
openssl ciphers -V -stdname \
    -ciphersuites 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256' \
    'NULL-MD5:@SECLEVEL=0' | awk '$6 == "TLSv1.3"' >"$tmp/tls13.txt"
# SEED only exists with the legacy provider, which nginx does not load by
# default: it is described by OpenSSL but marked in_openssl=no.
openssl ciphers -V -stdname -ciphersuites '' $legacy 'SEED:@SECLEVEL=0' 2>/dev/null >"$tmp/legacy.txt" || : >"$tmp/legacy.txt"

# 2. Class memberships OpenSSL only exposes through aliases (with the legacy
#    provider too, so that SEED gets its classes).
# shellcheck disable=SC2086
{
    names $legacy HIGH >"$tmp/HIGH"
    names $legacy MEDIUM >"$tmp/MEDIUM"
    names $legacy LOW >"$tmp/LOW"
    names $legacy FIPS >"$tmp/FIPS"
    names $legacy COMPLEMENTOFDEFAULT >"$tmp/NOTDEFAULT"
}

# 3. The library's default preference order.  It is only observable through
#    single aliases (an ADD appends matches in that order), and ALL excludes
#    eNULL, so merge the orders of every alias into one consistent order.
aliases='ALL COMPLEMENTOFALL COMPLEMENTOFDEFAULT kRSA kDHE kECDHE kPSK kRSAPSK
kECDHEPSK kDHEPSK kSRP aRSA aDSS aNULL aECDSA aPSK aSRP EDH EECDH RSA ADH AECDH
PSK AES128 AES256 AES AESGCM AESCCM AESCCM8 CAMELLIA128 CAMELLIA256 CAMELLIA
CHACHA20 ARIA ARIAGCM ARIA128 ARIA256 CBC MD5 SHA1 SHA256 SHA384 SSLv3 TLSv1
TLSv1.2 HIGH MEDIUM LOW FIPS'
names 'ALL:COMPLEMENTOFALL:@SECLEVEL=0' | awk '{print "base", $1}' >"$tmp/orders"
for a in $aliases; do
    names "$a" | awk -v a="$a" '{print a, $1}' >>"$tmp/orders"
done
awk '
    $1 == "base" { base[$2] = ++n; node[n] = $2; next }
    {
        if ($1 == prev_list && !((prev_name, $2) in edge)) { edge[prev_name, $2] = 1; indeg[$2]++ }
        prev_list = $1; prev_name = $2
    }
    END {
        # Kahn: among the ready suites always take the one ALL lists first.
        for (r = 1; r <= n; r++) {
            best = 0
            for (i = 1; i <= n; i++)
                if (!(node[i] in done) && indeg[node[i]] == 0) { best = i; break }
            if (best == 0) { print "cycle in alias orders" > "/dev/stderr"; exit 1 }
            done[node[best]] = r
            print node[best], r
            for (i = 1; i <= n; i++)
                if ((node[best], node[i]) in edge) indeg[node[i]]--
        }
    }' "$tmp/orders" >"$tmp/rank"

# 4. One TSV row per suite.
printf 'code\tiana\topenssl\tmin_version\tkx\tau\tenc\tbits\tmac\tkx_alg\tau_alg\tenc_alg\tmac_alg\tstrength\tfips\tdefault\trank\tin_openssl\n'

to_rows() { # $1 = in_openssl
    awk -v in_openssl="$1" -v dir="$tmp" '
        function load(file, set,   line) {
            while ((getline line < file) > 0) set[line] = 1
        }
        BEGIN {
            load(dir "/HIGH", high); load(dir "/MEDIUM", medium); load(dir "/LOW", low)
            load(dir "/FIPS", fips); load(dir "/NOTDEFAULT", notdef)
            while ((getline line < (dir "/rank")) > 0) { split(line, f, " "); rank[f[1]] = f[2] }
            kx["RSA"] = "kRSA"; kx["DH"] = "kDHE"; kx["ECDH"] = "kECDHE"; kx["PSK"] = "kPSK"
            kx["RSAPSK"] = "kRSAPSK"; kx["DHEPSK"] = "kDHEPSK"; kx["ECDHEPSK"] = "kECDHEPSK"
            kx["SRP"] = "kSRP"; kx["any"] = "kANY"
            au["RSA"] = "aRSA"; au["DSS"] = "aDSS"; au["ECDSA"] = "aECDSA"; au["PSK"] = "aPSK"
            au["None"] = "aNULL"; au["SRP"] = "aSRP"; au["any"] = "aANY"
        }
        {
            code = $1; iana = $3; name = $5; ver = $6
            k = substr($7, 4); a = substr($8, 4); e = substr($9, 5); m = substr($10, 5)
            if (!(k in kx) || !(a in au)) { print "unknown Kx/Au in: " $0 > "/dev/stderr"; exit 1 }
            bits = 0; family = e
            if (match(e, /\([0-9]+\)$/)) {
                bits = substr(e, RSTART + 1, RLENGTH - 2); family = substr(e, 1, RSTART - 1)
            }
            # OpenSSL internal enc names put the key size before the mode.
            if (family == "None") ealg = "eNULL"
            else if (family == "CHACHA20/POLY1305") ealg = "CHACHA20POLY1305"
            else if (family == "Camellia") ealg = "CAMELLIA" bits
            else if (family ~ /^(AES|ARIA)/) {
                base = substr(family, 1, (family ~ /^AES/) ? 3 : 4)
                ealg = base bits substr(family, length(base) + 1)
            } else ealg = family
            if (ver == "TLSv1.3") { strength = "HIGH"; fl = (e ~ /^AES/) ? "yes" : "no"; d = "yes"; r = "-" }
            else {
                strength = (name in high) ? "HIGH" : (name in medium) ? "MEDIUM" : (name in low) ? "LOW" : "NONE"
                fl = (name in fips) ? "yes" : "no"
                d = (name in notdef) ? "no" : "yes"
                r = (in_openssl == "yes") ? rank[name] : "-"
            }
            printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
                code, iana, name, ver, k, a, e, bits, m, kx[k], au[a], ealg, m,
                strength, fl, d, r, in_openssl
        }'
}

# Rows in default preference order, then TLS 1.3, then what this build lacks.
to_rows yes <"$tmp/tls12.txt" | sort -t "$(printf '\t')" -k17,17n
to_rows yes <"$tmp/tls13.txt"
to_rows no <"$tmp/legacy.txt"

# Suites Debian's OpenSSL 3 does not build, from the IANA registry (code,
# name) and OpenSSL 1.0.2/1.1.1 (name, classes, strength bits).
cat <<'EOF'
0x00,0x04	TLS_RSA_WITH_RC4_128_MD5	RC4-MD5	SSLv3	RSA	RSA	RC4(128)	128	MD5	kRSA	aRSA	RC4	MD5	MEDIUM	no	no	-	no
0x00,0x05	TLS_RSA_WITH_RC4_128_SHA	RC4-SHA	SSLv3	RSA	RSA	RC4(128)	128	SHA1	kRSA	aRSA	RC4	SHA1	MEDIUM	no	no	-	no
0x00,0x18	TLS_DH_anon_WITH_RC4_128_MD5	ADH-RC4-MD5	SSLv3	DH	None	RC4(128)	128	MD5	kDHE	aNULL	RC4	MD5	MEDIUM	no	no	-	no
0xC0,0x07	TLS_ECDHE_ECDSA_WITH_RC4_128_SHA	ECDHE-ECDSA-RC4-SHA	SSLv3	ECDH	ECDSA	RC4(128)	128	SHA1	kECDHE	aECDSA	RC4	SHA1	MEDIUM	no	no	-	no
0xC0,0x11	TLS_ECDHE_RSA_WITH_RC4_128_SHA	ECDHE-RSA-RC4-SHA	SSLv3	ECDH	RSA	RC4(128)	128	SHA1	kECDHE	aRSA	RC4	SHA1	MEDIUM	no	no	-	no
0xC0,0x16	TLS_ECDH_anon_WITH_RC4_128_SHA	AECDH-RC4-SHA	SSLv3	ECDH	None	RC4(128)	128	SHA1	kECDHE	aNULL	RC4	SHA1	MEDIUM	no	no	-	no
0x00,0x8A	TLS_PSK_WITH_RC4_128_SHA	PSK-RC4-SHA	SSLv3	PSK	PSK	RC4(128)	128	SHA1	kPSK	aPSK	RC4	SHA1	MEDIUM	no	no	-	no
0x00,0x8E	TLS_DHE_PSK_WITH_RC4_128_SHA	DHE-PSK-RC4-SHA	SSLv3	DHEPSK	PSK	RC4(128)	128	SHA1	kDHEPSK	aPSK	RC4	SHA1	MEDIUM	no	no	-	no
0x00,0x92	TLS_RSA_PSK_WITH_RC4_128_SHA	RSA-PSK-RC4-SHA	SSLv3	RSAPSK	RSA	RC4(128)	128	SHA1	kRSAPSK	aRSA	RC4	SHA1	MEDIUM	no	no	-	no
0xC0,0x33	TLS_ECDHE_PSK_WITH_RC4_128_SHA	ECDHE-PSK-RC4-SHA	TLSv1	ECDHEPSK	PSK	RC4(128)	128	SHA1	kECDHEPSK	aPSK	RC4	SHA1	MEDIUM	no	no	-	no
0x00,0x0A	TLS_RSA_WITH_3DES_EDE_CBC_SHA	DES-CBC3-SHA	SSLv3	RSA	RSA	3DES(168)	112	SHA1	kRSA	aRSA	3DES	SHA1	MEDIUM	yes	no	-	no
0x00,0x13	TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA	DHE-DSS-DES-CBC3-SHA	SSLv3	DH	DSS	3DES(168)	112	SHA1	kDHE	aDSS	3DES	SHA1	MEDIUM	yes	no	-	no
0x00,0x16	TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA	DHE-RSA-DES-CBC3-SHA	SSLv3	DH	RSA	3DES(168)	112	SHA1	kDHE	aRSA	3DES	SHA1	MEDIUM	yes	no	-	no
0x00,0x1B	TLS_DH_anon_WITH_3DES_EDE_CBC_SHA	ADH-DES-CBC3-SHA	SSLv3	DH	None	3DES(168)	112	SHA1	kDHE	aNULL	3DES	SHA1	MEDIUM	yes	no	-	no
0xC0,0x08	TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA	ECDHE-ECDSA-DES-CBC3-SHA	SSLv3	ECDH	ECDSA	3DES(168)	112	SHA1	kECDHE	aECDSA	3DES	SHA1	MEDIUM	yes	no	-	no
0xC0,0x12	TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA	ECDHE-RSA-DES-CBC3-SHA	SSLv3	ECDH	RSA	3DES(168)	112	SHA1	kECDHE	aRSA	3DES	SHA1	MEDIUM	yes	no	-	no
0xC0,0x17	TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA	AECDH-DES-CBC3-SHA	SSLv3	ECDH	None	3DES(168)	112	SHA1	kECDHE	aNULL	3DES	SHA1	MEDIUM	yes	no	-	no
0xC0,0x1A	TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA	SRP-3DES-EDE-CBC-SHA	SSLv3	SRP	SRP	3DES(168)	112	SHA1	kSRP	aSRP	3DES	SHA1	MEDIUM	no	no	-	no
0xC0,0x1B	TLS_SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA	SRP-RSA-3DES-EDE-CBC-SHA	SSLv3	SRP	RSA	3DES(168)	112	SHA1	kSRP	aRSA	3DES	SHA1	MEDIUM	no	no	-	no
0xC0,0x1C	TLS_SRP_SHA_DSS_WITH_3DES_EDE_CBC_SHA	SRP-DSS-3DES-EDE-CBC-SHA	SSLv3	SRP	DSS	3DES(168)	112	SHA1	kSRP	aDSS	3DES	SHA1	MEDIUM	no	no	-	no
0x00,0x8B	TLS_PSK_WITH_3DES_EDE_CBC_SHA	PSK-3DES-EDE-CBC-SHA	SSLv3	PSK	PSK	3DES(168)	112	SHA1	kPSK	aPSK	3DES	SHA1	MEDIUM	yes	no	-	no
0x00,0x8F	TLS_DHE_PSK_WITH_3DES_EDE_CBC_SHA	DHE-PSK-3DES-EDE-CBC-SHA	SSLv3	DHEPSK	PSK	3DES(168)	112	SHA1	kDHEPSK	aPSK	3DES	SHA1	MEDIUM	yes	no	-	no
0x00,0x93	TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA	RSA-PSK-3DES-EDE-CBC-SHA	SSLv3	RSAPSK	RSA	3DES(168)	112	SHA1	kRSAPSK	aRSA	3DES	SHA1	MEDIUM	yes	no	-	no
0xC0,0x34	TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA	ECDHE-PSK-3DES-EDE-CBC-SHA	TLSv1	ECDHEPSK	PSK	3DES(168)	112	SHA1	kECDHEPSK	aPSK	3DES	SHA1	MEDIUM	yes	no	-	no
0x00,0x07	TLS_RSA_WITH_IDEA_CBC_SHA	IDEA-CBC-SHA	SSLv3	RSA	RSA	IDEA(128)	128	SHA1	kRSA	aRSA	IDEA	SHA1	MEDIUM	no	no	-	no
0x00,0x09	TLS_RSA_WITH_DES_CBC_SHA	DES-CBC-SHA	SSLv3	RSA	RSA	DES(56)	56	SHA1	kRSA	aRSA	DES	SHA1	LOW	no	no	-	no
0x00,0x12	TLS_DHE_DSS_WITH_DES_CBC_SHA	EDH-DSS-DES-CBC-SHA	SSLv3	DH	DSS	DES(56)	56	SHA1	kDHE	aDSS	DES	SHA1	LOW	no	no	-	no
0x00,0x15	TLS_DHE_RSA_WITH_DES_CBC_SHA	EDH-RSA-DES-CBC-SHA	SSLv3	DH	RSA	DES(56)	56	SHA1	kDHE	aRSA	DES	SHA1	LOW	no	no	-	no
0x00,0x1A	TLS_DH_anon_WITH_DES_CBC_SHA	ADH-DES-CBC-SHA	SSLv3	DH	None	DES(56)	56	SHA1	kDHE	aNULL	DES	SHA1	LOW	no	no	-	no
0x00,0x03	TLS_RSA_EXPORT_WITH_RC4_40_MD5	EXP-RC4-MD5	SSLv3	RSA	RSA	RC4(40)	40	MD5	kRSA	aRSA	RC4	MD5	EXPORT	no	no	-	no
0x00,0x06	TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5	EXP-RC2-CBC-MD5	SSLv3	RSA	RSA	RC2(40)	40	MD5	kRSA	aRSA	RC2	MD5	EXPORT	no	no	-	no
0x00,0x08	TLS_RSA_EXPORT_WITH_DES40_CBC_SHA	EXP-DES-CBC-SHA	SSLv3	RSA	RSA	DES(40)	40	SHA1	kRSA	aRSA	DES	SHA1	EXPORT	no	no	-	no
0x00,0x11	TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA	EXP-EDH-DSS-DES-CBC-SHA	SSLv3	DH	DSS	DES(40)	40	SHA1	kDHE	aDSS	DES	SHA1	EXPORT	no	no	-	no
0x00,0x14	TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA	EXP-EDH-RSA-DES-CBC-SHA	SSLv3	DH	RSA	DES(40)	40	SHA1	kDHE	aRSA	DES	SHA1	EXPORT	no	no	-	no
0x00,0x17	TLS_DH_anon_EXPORT_WITH_RC4_40_MD5	EXP-ADH-RC4-MD5	SSLv3	DH	None	RC4(40)	40	MD5	kDHE	aNULL	RC4	MD5	EXPORT	no	no	-	no
0x00,0x19	TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA	EXP-ADH-DES-CBC-SHA	SSLv3	DH	None	DES(40)	40	SHA1	kDHE	aNULL	DES	SHA1	EXPORT	no	no	-	no
EOF
