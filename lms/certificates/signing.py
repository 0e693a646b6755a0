"""The certificate PDF's signature: the credential attached as a PDF/A-3 associated file, then a PAdES
baseline signature (pyHanko) with the programme's signing certificate.

Both go in one incremental update after WeasyPrint's PDF/A-3b file, so the page and its metadata stay as
rendered. The signing time is the certificate's issue time and the file identifier is derived from it,
so the same certificate always gives the same bytes (RSA PKCS#1 v1.5 signatures are deterministic).
"""
import hashlib
import io
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import cms
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.embed import EmbeddedFileObject, EmbeddedFileParams
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata import model as metadata_model
from pyhanko.pdf_utils.metadata.model import DocumentMetadata
from pyhanko.sign import fields, signers
from pyhanko.sign.general import get_pyca_cryptography_hash

from lms.core.coroutines import run_to_completion
from lms.credentials import keys

CREDENTIAL_FILE = "credential.jsonld"
SIGNATURE_FIELD = "ProgrammeSignature"
SIGNATURE_BYTES = 12_288  # room for the CMS container with a certificate chain: no trial signature to size it
_signers: dict = {}


def _parsed(value):
    """The value as read back from its DER. asn1crypto re-encodes a value it built, field by field, at every
    dump (a few milliseconds for a signer's certificate identifiers), and dumps a parsed one as the bytes it
    was read from."""
    tagging = {"implicit": (value.class_, value.tag)} if value.implicit else {}
    return type(value).load(value.dump(), **tagging)


@dataclass(frozen=True)
class _Container:
    """What a signer's PAdES CMS containers share: all but the message digest and the signature value.

    Taken from a container pyHanko made, where the signed attributes stay the same from one signature to the
    next (no signing time: PAdES puts it in the signature dictionary) and there are neither unsigned
    attributes nor revocation information; and kept only if rebuilding that container gives its very bytes.
    """

    signed_data: dict
    signer_info: dict
    signed_attributes: tuple

    STEADY_ATTRIBUTES = frozenset({"content_type", "message_digest", "signing_certificate_v2",
                                   "cms_algorithm_protection"})

    @classmethod
    def of(cls, container: cms.ContentInfo) -> "_Container | None":
        signed_data = container["content"]
        if container["content_type"].native != "signed_data" or len(signed_data["signer_infos"]) != 1:
            return None
        info = signed_data["signer_infos"][0]
        types = [attribute["type"].native for attribute in info["signed_attrs"]]
        if (set(types) - cls.STEADY_ATTRIBUTES or types.count("message_digest") != 1
                or info["unsigned_attrs"].native is not None or signed_data["crls"].native is not None
                or info["signature_algorithm"].signature_algo != "rsassa_pkcs1v15"):
            return None
        return cls(
            signed_data={name: _parsed(signed_data[name]) for name in
                         ("version", "digest_algorithms", "encap_content_info", "certificates")},
            signer_info={name: _parsed(info[name]) for name in
                         ("version", "sid", "digest_algorithm", "signature_algorithm")},
            signed_attributes=tuple(None if kind == "message_digest" else _parsed(attribute)
                                    for kind, attribute in zip(types, info["signed_attrs"])))

    def build(self, digest: bytes, sign) -> cms.ContentInfo:
        """The container for this document digest; `sign(data)` gives the signature value."""
        attributes = cms.CMSAttributes([
            cms.CMSAttribute({"type": "message_digest", "values": [digest]}) if attribute is None else attribute
            for attribute in self.signed_attributes])
        info = cms.SignerInfo({**self.signer_info, "signed_attrs": attributes, "signature": sign(attributes.dump())})
        return cms.ContentInfo({"content_type": "signed_data",
                                "content": cms.SignedData({**self.signed_data, "signer_infos": [info]})})


class _LoadedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner, faster for the signatures we make, each alike but for the document digest.

    It keeps the parsed private key (SimpleSigner parses and checks it for every signature: about 0.5 s for
    RSA), and after its first PAdES signature, made by pyHanko, it builds the CMS container from the parts
    that one shares with every other (pyHanko builds and encodes each from scratch: some 10 ms for the
    signing-certificate attribute alone).
    """

    def __init__(self, private_key, **kwargs):
        super().__init__(**kwargs)
        self._private_key = private_key
        self._containers: dict = {}

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        if mechanism != "rsassa_pkcs1v15":
            return super().sign_raw(data, digest_algorithm)
        return self._sign_pkcs1(data, digest_algorithm)

    def _sign_pkcs1(self, data: bytes, digest_algorithm: str) -> bytes:
        return self._private_key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))

    async def async_sign(self, data_digest: bytes, digest_algorithm: str, dry_run=False, use_pades=False,
                         timestamper=None, signed_attr_settings=None, is_pdf_sig=True, encap_content_info=None):
        steady = (use_pades and is_pdf_sig and not dry_run and timestamper is None and encap_content_info is None
                  and signed_attr_settings is not None and signed_attr_settings.cades_signed_attrs is None
                  and signed_attr_settings.adobe_revinfo_attr is None)
        template = self._containers.get(digest_algorithm) if steady else None
        if template is not None:
            return template.build(data_digest, lambda data: self._sign_pkcs1(data, digest_algorithm))
        container = await super().async_sign(
            data_digest, digest_algorithm, dry_run=dry_run, use_pades=use_pades, timestamper=timestamper,
            signed_attr_settings=signed_attr_settings, is_pdf_sig=is_pdf_sig, encap_content_info=encap_content_info)
        if steady:
            template = _Container.of(container)
            if template is not None and template.build(
                    data_digest, lambda data: self._sign_pkcs1(data, digest_algorithm)).dump() == container.dump():
                self._containers[digest_algorithm] = template
        return container


def _signer() -> signers.SimpleSigner:
    """The PDF signer, loaded once per process and again when its files change."""
    key, certificate, chain = keys.pdf_signer_files()
    stamp = tuple(path.stat().st_mtime_ns for path in (key, certificate, chain) if path)
    cached = _signers.get(str(key))
    if cached is None or cached[0] != stamp:
        loaded = signers.SimpleSigner.load(str(key), str(certificate), ca_chain_files=(str(chain),) if chain else None)
        if loaded is None:
            raise keys.KeysMissing("the PDF signing key or certificate cannot be read")
        # pyHanko's load has just parsed the key with its checks (some 150 ms for RSA): not a second time.
        private_key = serialization.load_der_private_key(loaded.signing_key.dump(), password=None,
                                                         unsafe_skip_rsa_key_validation=True)
        signer = _LoadedKeySigner(private_key, signing_cert=loaded.signing_cert, signing_key=loaded.signing_key,
                                  cert_registry=loaded.cert_registry)
        cached = _signers[str(key)] = (stamp, signer)
    return cached[1]


class _FixedTimeMetadata(DocumentMetadata):
    """Document metadata whose modification date stays the signing time (pyHanko writes "now")."""

    def __init__(self, moment: datetime):
        self._moment = moment
        super().__init__()

    @property
    def last_modified(self):
        return self._moment

    @last_modified.setter
    def last_modified(self, value):
        pass


def signer_certificate_pem() -> bytes:
    return keys.pdf_signer_files()[1].read_bytes()


def _attach(writer: IncrementalPdfFileWriter, data: bytes, moment: datetime, description: str) -> None:
    """An embedded file with the keys PDF/A-3 asks of an associated file, listed in the catalogue's /AF."""
    stream = EmbeddedFileObject.from_file_data(
        writer, data, mime_type="application/ld+json",
        params=EmbeddedFileParams(creation_date=moment, modification_date=moment))
    spec = generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Filespec"),
        pdf_name("/F"): pdf_string(CREDENTIAL_FILE),
        pdf_name("/UF"): pdf_string(CREDENTIAL_FILE),
        pdf_name("/Desc"): generic.TextStringObject(description),
        pdf_name("/AFRelationship"): pdf_name("/Alternative"),  # the same certificate, machine-readable
        pdf_name("/EF"): generic.DictionaryObject({pdf_name("/F"): stream.ef_stream_ref,
                                                   pdf_name("/UF"): stream.ef_stream_ref}),
    })
    spec_ref = writer.add_object(spec)
    root = writer.root
    names = generic.DictionaryObject({pdf_name("/EmbeddedFiles"): writer.add_object(generic.DictionaryObject(
        {pdf_name("/Names"): generic.ArrayObject([pdf_string(CREDENTIAL_FILE), spec_ref])}))})
    root[pdf_name("/Names")] = writer.add_object(names)  # WeasyPrint's file has none: we drop every attachment
    root[pdf_name("/AF")] = writer.add_object(generic.ArrayObject([spec_ref]))
    writer.update_root()


class _PdfAWriter(IncrementalPdfFileWriter):
    """pyHanko's incremental writer, keeping the document information and the XMP metadata equal, as
    PDF/A requires: pyHanko writes its name as XMP producer but appends it to the /Info producer."""

    def _update_meta(self):
        super()._update_meta()
        if self._info is not None and "/Producer" in self._info.get_object():
            self._info.get_object()["/Producer"] = generic.TextStringObject(metadata_model.VENDOR)
            self.mark_update(self._info)


class _FixedTimePdfSigner(signers.PdfSigner):
    """pyHanko's signer with the signing time given instead of the clock's."""

    def __init__(self, *args, signing_time: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self._signing_time = signing_time

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._signing_time
        return session


def sign_pdf(pdf: bytes, *, signing_time: datetime, identifier: bytes, credential_json: str | None = None,
             reason: str = "Certificate issued by the programme") -> bytes:
    """The PDF with its credential attached (if any) and signed (PAdES B-B, invisible signature)."""
    writer = _PdfAWriter(io.BytesIO(pdf), strict=False)
    # pyHanko gives the new revision a random second identifier; derive it instead, for reproducible bytes.
    first_id = writer._document_id[0] if "/ID" in writer.prev.trailer else generic.ByteStringObject(
        hashlib.sha256(identifier).digest()[:16])
    writer._document_id = generic.ArrayObject([first_id, generic.ByteStringObject(
        hashlib.sha256(identifier + b"/signed").digest()[:16])])
    writer._meta = _FixedTimeMetadata(signing_time)
    if credential_json:
        _attach(writer, credential_json.encode(), signing_time, "Open Badges 3.0 credential of this certificate")
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason, name=keys.SIGNER_NAME)
    signer = _FixedTimePdfSigner(metadata, signer=_signer(), signing_time=signing_time,
                                 new_field_spec=fields.SigFieldSpec(SIGNATURE_FIELD, box=None))
    out = io.BytesIO()
    run_to_completion(signer.async_sign_pdf(writer, output=out, bytes_reserved=SIGNATURE_BYTES))
    return out.getvalue()
