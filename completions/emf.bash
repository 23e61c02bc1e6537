# bash completion for emf(1). Installed as
# share/bash-completion/completions/emf, where bash-completion loads it the
# first time `emf` is completed; it can also be sourced by hand. It uses
# bash's own compgen only, so it works without the bash-completion package.

_emf_commands="init status check repair seed reset backup restore optimize shell help"
_emf_kinds="trends metrics image_library"
# Options every command takes (before or after its name).
_emf_global_options="--only --json --data-dir --env-file -v --verbose -q --quiet --color
  --busy-timeout --cluster -h --help"

# The options of one command ("" is emf without a command, which is init
# and also takes the old script's flags and --version).
_emf_command_options() {
  case "$1" in
    "") echo "--dry-run --no-backup --backup-dir --keep --check --seed --reset -y --yes --version" ;;
    init | repair) echo "--dry-run --no-backup --backup-dir --keep" ;;
    seed) echo "--rows --random-seed --no-backup --backup-dir --keep" ;;
    reset) echo "-y --yes --backup-dir --keep" ;;
    backup) echo "--dir --backup-dir --keep --list" ;;
    restore) echo "--latest -y --yes --no-backup --backup-dir --keep" ;;
    optimize) echo "--no-backup --backup-dir --keep" ;;
  esac
}

# Completes a comma-separated list of kinds: "trends,me" -> "trends,metrics".
_emf_complete_kinds() {
  local current="$1" done_part="" last="$1" kind
  if [[ "$current" == *,* ]]; then
    done_part="${current%,*},"
    last="${current##*,}"
  fi
  COMPREPLY=()
  for kind in $_emf_kinds; do
    # Offer each kind once per list.
    [[ ",${done_part}" == *",${kind},"* ]] && continue
    [[ "$kind" == "$last"* ]] && COMPREPLY+=("${done_part}${kind}")
  done
  # The list goes on: no space after a comma-completed kind.
  compopt -o nospace 2>/dev/null
}

# Paths: files (or folders only when $2 is "dirs"), with names escaped.
_emf_complete_paths() {
  local IFS=$'\n'
  compopt -o filenames 2>/dev/null
  if [[ "$2" == dirs ]]; then
    COMPREPLY=($(compgen -d -- "$1"))
  else
    COMPREPLY=($(compgen -f -- "$1"))
  fi
}

_emf() {
  local current="${COMP_WORDS[COMP_CWORD]}"
  local previous="${COMP_WORDS[COMP_CWORD - 1]}"
  COMPREPLY=()

  # "--only=tr": bash splits at '=', so the option is two words back.
  if [[ "$current" == "=" ]]; then
    current=""
  elif [[ "$previous" == "=" && $COMP_CWORD -ge 2 ]]; then
    previous="${COMP_WORDS[COMP_CWORD - 2]}"
  fi

  # The command is the first word that is neither an option nor an
  # option's value.
  local command="" command_index=0 i word
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="${COMP_WORDS[i]}"
    case "$word" in
      --only | --data-dir | --env-file | --color | --busy-timeout | --cluster | --backup-dir | --dir | \
        --keep | --rows | --random-seed)
        ((i++))
        [[ "${COMP_WORDS[i]}" == "=" ]] && ((i++))
        ;;
      -*) ;;
      *)
        command="$word"
        command_index=$i
        break
        ;;
    esac
  done

  # After `shell DATABASE`, everything is sqlite3's: complete files.
  if [[ "$command" == shell ]]; then
    local after=$((COMP_CWORD - command_index))
    if ((after == 1)) && [[ "$current" != -* ]]; then
      _emf_complete_paths "$current"
      local kind
      for kind in $_emf_kinds; do
        [[ "$kind" == "$current"* ]] && COMPREPLY+=("$kind")
      done
      return 0
    fi
    if ((after == 1)); then
      COMPREPLY=($(compgen -W "-h --help" -- "$current"))
      return 0
    fi
    _emf_complete_paths "$current"
    return 0
  fi

  # The value of an option.
  case "$previous" in
    --only)
      _emf_complete_kinds "$current"
      return 0
      ;;
    --color)
      COMPREPLY=($(compgen -W "auto always never" -- "$current"))
      return 0
      ;;
    --data-dir | --backup-dir | --dir)
      _emf_complete_paths "$current" dirs
      return 0
      ;;
    --env-file)
      _emf_complete_paths "$current"
      return 0
      ;;
    --busy-timeout | --keep | --rows | --random-seed | --cluster)
      # A number, or addresses: nothing to offer.
      return 0
      ;;
  esac

  if [[ "$current" == -* ]]; then
    COMPREPLY=($(compgen -W "$_emf_global_options $(_emf_command_options "$command")" \
      -- "$current"))
    return 0
  fi

  case "$command" in
    "")
      COMPREPLY=($(compgen -W "$_emf_commands" -- "$current"))
      ;;
    restore)
      # The backup file to put back.
      _emf_complete_paths "$current"
      ;;
    help)
      # One command name, once.
      if ((COMP_CWORD == command_index + 1)); then
        COMPREPLY=($(compgen -W "$_emf_commands" -- "$current"))
      fi
      ;;
  esac
  return 0
}

complete -F _emf emf
