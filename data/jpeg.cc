#include "data/jpeg.h"

// clang-format off
#include <cstdio>  // jpeglib.h needs FILE.
#include <jpeglib.h>
#include <jerror.h>
// clang-format on

#include <csetjmp>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace mdenas {
namespace {

// libjpeg reports errors by calling error_exit, which must not return; ours
// jumps back to the setjmp in Decode or Encode with the message saved.
struct ErrorManager {
  jpeg_error_mgr base;  // First, so that libjpeg's pointer to it is ours too.
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void Fail(j_common_ptr info) {
  auto* errors = reinterpret_cast<ErrorManager*>(info->err);
  (*info->err->format_message)(info, errors->message);
  std::longjmp(errors->jump, 1);
}

// Level -1 is a warning about corrupt data; levels >= 0 are trace messages.
void OnMessage(j_common_ptr info, int level) {
  if (level >= 0) return;
  switch (info->err->msg_code) {
    case JWRN_ADOBE_XFORM:
    case JWRN_BOGUS_ICC:
    case JWRN_EXTRANEOUS_DATA:
    case JWRN_JFIF_MAJOR:
      return;
    default:
      Fail(info);
  }
}

void InstallErrorManager(ErrorManager* errors) {
  jpeg_std_error(&errors->base);
  errors->base.error_exit = Fail;
  errors->base.emit_message = OnMessage;
}

struct Decoder {
  jpeg_decompress_struct info;
  ErrorManager errors;
};

// Decodes into `*image`, or returns false with the reason in
// decoder->errors.message. Only C objects live in this frame, as setjmp and
// longjmp require.
bool Decode(const unsigned char* data, unsigned long size, Decoder* decoder,
            Image* image) {
  jpeg_decompress_struct* info = &decoder->info;
  InstallErrorManager(&decoder->errors);
  info->err = &decoder->errors.base;
  if (setjmp(decoder->errors.jump) != 0) {
    jpeg_destroy_decompress(info);
    return false;
  }
  jpeg_create_decompress(info);
  jpeg_mem_src(info, data, size);
  jpeg_read_header(info, TRUE);
  switch (info->jpeg_color_space) {
    case JCS_GRAYSCALE:
      info->out_color_space = JCS_GRAYSCALE;
      break;
    case JCS_RGB:
    case JCS_YCbCr:
      info->out_color_space = JCS_RGB;
      break;
    default:
      std::snprintf(decoder->errors.message, JMSG_LENGTH_MAX,
                    "colour space %d (CMYK or YCCK) is not supported",
                    static_cast<int>(info->jpeg_color_space));
      jpeg_destroy_decompress(info);
      return false;
  }
  const int channels = info->out_color_space == JCS_GRAYSCALE ? 1 : 3;
  if (int64_t{info->image_width} * info->image_height * channels >
      kMaxJpegPixelBytes) {
    std::snprintf(decoder->errors.message, JMSG_LENGTH_MAX,
                  "%ux%u pixels is larger than the decoder accepts",
                  info->image_width, info->image_height);
    jpeg_destroy_decompress(info);
    return false;
  }
  jpeg_start_decompress(info);
  image->height = static_cast<int>(info->output_height);
  image->width = static_cast<int>(info->output_width);
  image->channels = channels;
  const size_t row_bytes = size_t{info->output_width} * channels;
  image->pixels.resize(row_bytes * info->output_height);
  while (info->output_scanline < info->output_height) {
    JSAMPROW row = image->pixels.data() + info->output_scanline * row_bytes;
    jpeg_read_scanlines(info, &row, 1);
  }
  jpeg_finish_decompress(info);
  jpeg_destroy_decompress(info);
  return true;
}

// A libjpeg destination that appends to a string.
struct StringDestination {
  jpeg_destination_mgr base;  // First, as for ErrorManager.
  std::string* out;
  JOCTET buffer[1 << 14];
};

StringDestination* DestinationOf(j_compress_ptr info) {
  return reinterpret_cast<StringDestination*>(info->dest);
}

void InitDestination(j_compress_ptr info) {
  StringDestination* destination = DestinationOf(info);
  destination->base.next_output_byte = destination->buffer;
  destination->base.free_in_buffer = sizeof(destination->buffer);
}

boolean EmptyOutputBuffer(j_compress_ptr info) {
  StringDestination* destination = DestinationOf(info);
  destination->out->append(reinterpret_cast<char*>(destination->buffer),
                           sizeof(destination->buffer));
  InitDestination(info);
  return TRUE;
}

void TermDestination(j_compress_ptr info) {
  StringDestination* destination = DestinationOf(info);
  destination->out->append(
      reinterpret_cast<char*>(destination->buffer),
      sizeof(destination->buffer) - destination->base.free_in_buffer);
}

struct Encoder {
  jpeg_compress_struct info;
  ErrorManager errors;
  StringDestination destination;
};

// Encodes into encoder->destination.out, as Decode does.
bool Encode(const ImageView& image, int quality, Encoder* encoder) {
  jpeg_compress_struct* info = &encoder->info;
  InstallErrorManager(&encoder->errors);
  info->err = &encoder->errors.base;
  if (setjmp(encoder->errors.jump) != 0) {
    jpeg_destroy_compress(info);
    return false;
  }
  jpeg_create_compress(info);
  encoder->destination.base.init_destination = InitDestination;
  encoder->destination.base.empty_output_buffer = EmptyOutputBuffer;
  encoder->destination.base.term_destination = TermDestination;
  info->dest = &encoder->destination.base;
  info->image_width = static_cast<JDIMENSION>(image.width);
  info->image_height = static_cast<JDIMENSION>(image.height);
  info->input_components = image.channels;
  info->in_color_space = image.channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(info);
  jpeg_set_quality(info, quality, TRUE);
  jpeg_start_compress(info, TRUE);
  const size_t row_bytes = size_t{info->image_width} * image.channels;
  while (info->next_scanline < info->image_height) {
    // libjpeg's API takes non-const rows but only reads them.
    JSAMPROW row =
        const_cast<JSAMPROW>(image.pixels) + info->next_scanline * row_bytes;
    jpeg_write_scanlines(info, &row, 1);
  }
  jpeg_finish_compress(info);
  jpeg_destroy_compress(info);
  return true;
}

}  // namespace

absl::StatusOr<Image> DecodeJpeg(absl::string_view data,
                                 const std::string& source) {
  Decoder decoder;
  std::memset(&decoder, 0, sizeof(decoder));
  Image image;
  if (!Decode(reinterpret_cast<const unsigned char*>(data.data()),
              static_cast<unsigned long>(data.size()), &decoder, &image)) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": cannot decode JPEG: ", decoder.errors.message));
  }
  return image;
}

absl::StatusOr<std::string> EncodeJpeg(const ImageView& image, int quality) {
  if ((image.channels != 1 && image.channels != 3) || image.height <= 0 ||
      image.width <= 0 || quality < 1 || quality > 100) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot encode a ", image.height, "x", image.width, "x", image.channels,
        " image at quality ", quality,
        " as JPEG: it takes 1 or 3 channels and quality 1 to 100"));
  }
  std::string out;
  Encoder encoder;
  std::memset(&encoder, 0, sizeof(encoder));
  encoder.destination.out = &out;
  if (!Encode(image, quality, &encoder)) {
    return absl::InternalError(
        absl::StrCat("cannot encode JPEG: ", encoder.errors.message));
  }
  return out;
}

}  // namespace mdenas
