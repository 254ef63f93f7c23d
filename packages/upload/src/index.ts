export { isPrivateAddress } from "./address-check.js";
export {
  type Attachment,
  attachmentUrl,
  bodyWithoutAttachmentUrls,
  detectAttachments,
  linkMessage,
  NS_OOB,
  oobElement,
} from "./attachments.js";
export { SNIFF_BYTES, type SniffedType, sniffContentType } from "./content-type.js";
export type { DecryptedData, DecryptHook } from "./decrypt-hook.js";
export type { DownloadedFile } from "./download.js";
export {
  aesgcmCipher,
  type EncryptedMedia,
  type MediaCipher,
} from "./media-cipher.js";
export type { Resolver } from "./resolve-target.js";
export type { UploadSlot } from "./slot.js";
export {
  type SendFileOptions,
  type SentFile,
  type UploadHandle,
  type UploadResult,
  upload,
} from "./upload.js";
export { UploadError, type UploadErrorCode, type UploadErrorReason } from "./upload-error.js";
export {
  type UploadOptions,
  type UploadOptionsInput,
  uploadOptionsSchema,
} from "./upload-options.js";
export { NS_UPLOAD, type UploadService } from "./upload-service.js";
export type { UploadFileOptions, UploadProgress, UploadSource } from "./upload-source.js";
