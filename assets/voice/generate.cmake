# Generate the default voice pack: one <name>.wav per line of manifest.tsv,
# spoken by espeak-ng in the line's voice (then tidied: trimmed, levelled,
# 22050 Hz mono S16), or synthesised for voice "chime". Run by the build:
#   cmake -DMANIFEST=... -DOUT_DIR=... -DESPEAK=... -DVOICEGEN=... -P generate.cmake
# and, for the kiosk's voice guidance, -DGUIDE=guide.tsv -DI18N_DIR=assets/i18n
# -DTRIAGE=assets/faq/triage.json
# (-DVOICEGEN_RUN=qemu-aarch64 in a cross build: voicegen is the target's)
# The pack is rebuilt whole when the manifest, this script or voicegen change.
file(MAKE_DIRECTORY "${OUT_DIR}")
set(count 0)

# One clip: <OUT_DIR>/<name>.wav spoken by espeak-ng in voice (or the chime).
# With soft, a Chinese text espeak-ng would read as English is skipped with a
# warning (content authors' words) rather than failing the build.
function(make_clip name voice text soft)
  set(out "${OUT_DIR}/${name}.wav")
  if(voice STREQUAL "chime")
    execute_process(COMMAND ${VOICEGEN_RUN} "${VOICEGEN}" chime "${out}" RESULT_VARIABLE rc)
  else()
    # Debian 12's plain "cmn" voice reads 号, 请, 口 as English spellings of
    # their pinyin (its phonemes then switch to "(en)"); refuse any clip that
    # would come out like that instead of shipping it.
    execute_process(COMMAND "${ESPEAK}" -q --ipa -v "${voice}" "${text}"
                    OUTPUT_VARIABLE ipa RESULT_VARIABLE rc)
    if(rc EQUAL 0 AND NOT voice MATCHES "^en" AND ipa MATCHES "\\(en\\)")
      if(soft)
        message(WARNING "voice pack: clip ${name}: ${voice} reads '${text}' as English: skipped")
        return()
      endif()
      message(FATAL_ERROR "voice pack: clip ${name}: ${voice} reads '${text}' as English: ${ipa}")
    endif()
    set(raw "${OUT_DIR}/${name}.espeak.wav")
    # espeak-ng draws out a syllable said alone: at 200 words a minute the
    # assembled Chinese phrase (~3.6 s) is as long as espeak-ng's own reading
    # of the whole sentence at its default 175; English keeps the default.
    if(voice MATCHES "^en")
      set(speed 175)
    else()
      set(speed 200)
    endif()
    execute_process(COMMAND "${ESPEAK}" -v "${voice}" -s ${speed} -w "${raw}" "${text}"
                    RESULT_VARIABLE rc)
    if(rc EQUAL 0)
      execute_process(COMMAND ${VOICEGEN_RUN} "${VOICEGEN}" tidy "${raw}" "${out}" RESULT_VARIABLE rc)
    endif()
    file(REMOVE "${raw}")
  endif()
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "voice pack: clip ${name} (${voice} '${text}') failed: ${rc}")
  endif()
  math(EXPR n "${count} + 1")
  set(count ${n} PARENT_SCOPE)
endfunction()

file(STRINGS "${MANIFEST}" lines ENCODING UTF-8)
foreach(line IN LISTS lines)
  if(line MATCHES "^#" OR line STREQUAL "")
    continue()
  endif()
  string(REPLACE "\t" ";" fields "${line}")
  list(LENGTH fields nf)
  if(NOT nf EQUAL 3)
    message(FATAL_ERROR "${MANIFEST}: want <name>\\t<voice>\\t<text>: '${line}'")
  endif()
  list(GET fields 0 name)
  list(GET fields 1 voice)
  list(GET fields 2 text)
  if(NOT name MATCHES "^[a-z0-9_]+$")
    message(FATAL_ERROR "${MANIFEST}: clip name '${name}' is not [a-z0-9_]+")
  endif()
  make_clip(${name} ${voice} "${text}" FALSE)
endforeach()

# Voice guidance (issue 8.6): the catalogue strings named in GUIDE, in both
# languages, and the shipped triage needs' titles.
if(GUIDE)
  file(READ "${I18N_DIR}/zh-CN.json" zh_json)
  file(READ "${I18N_DIR}/en.json" en_json)
  file(STRINGS "${GUIDE}" keys ENCODING UTF-8)
  foreach(key IN LISTS keys)
    if(key MATCHES "^#" OR key STREQUAL "")
      continue()
    endif()
    if(NOT key MATCHES "^[a-z0-9_]+$")
      message(FATAL_ERROR "${GUIDE}: '${key}' is not an i18n key")
    endif()
    string(JSON zh GET "${zh_json}" strings ${key})
    string(JSON en GET "${en_json}" strings ${key})
    make_clip(g_zh_${key} cmn-latn-pinyin "${zh}" FALSE)
    make_clip(g_en_${key} en-us "${en}" FALSE)
  endforeach()
  if(TRIAGE)
    file(READ "${TRIAGE}" triage_json)
    string(JSON n_needs LENGTH "${triage_json}" needs)
    math(EXPR last "${n_needs} - 1")
    foreach(i RANGE ${last})
      string(JSON id GET "${triage_json}" needs ${i} id)
      string(JSON zh GET "${triage_json}" needs ${i} title zh-CN)
      string(JSON en GET "${triage_json}" needs ${i} title en)
      string(REPLACE "-" "_" cid "${id}")
      string(REPLACE "/" "，" zh "${zh}")
      make_clip(g_zh_need_${cid} cmn-latn-pinyin "${zh}" TRUE)
      make_clip(g_en_need_${cid} en-us "${en}" TRUE)
    endforeach()
  endif()
endif()
file(WRITE "${OUT_DIR}/.stamp" "${count} clips\n")
message(STATUS "voice pack: ${count} clips in ${OUT_DIR}")
