# Generate the default voice pack: one <name>.wav per line of manifest.tsv,
# spoken by espeak-ng in the line's voice (then tidied: trimmed, levelled,
# 22050 Hz mono S16), or synthesised for voice "chime". Run by the build:
#   cmake -DMANIFEST=... -DOUT_DIR=... -DESPEAK=... -DVOICEGEN=... -P generate.cmake
# (-DVOICEGEN_RUN=qemu-aarch64 in a cross build: voicegen is the target's)
# The pack is rebuilt whole when the manifest, this script or voicegen change.
file(MAKE_DIRECTORY "${OUT_DIR}")
file(STRINGS "${MANIFEST}" lines ENCODING UTF-8)
set(count 0)
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
  math(EXPR count "${count} + 1")
endforeach()
file(WRITE "${OUT_DIR}/.stamp" "${count} clips\n")
message(STATUS "voice pack: ${count} clips in ${OUT_DIR}")
